"""stub"""

from core.vocabulary.languages import Language

LANGUAGE = Language(code="fa", name="fa", meanings={})
