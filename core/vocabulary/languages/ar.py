"""stub"""

from core.vocabulary.languages import Language

LANGUAGE = Language(code="ar", name="ar", meanings={})
