"""stub"""

from core.vocabulary.languages import Language

LANGUAGE = Language(code="id", name="id", meanings={})
