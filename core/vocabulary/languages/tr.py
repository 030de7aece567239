"""stub"""

from core.vocabulary.languages import Language

LANGUAGE = Language(code="tr", name="tr", meanings={})
