"""stub"""

from core.vocabulary.languages import Language

LANGUAGE = Language(code="hi", name="hi", meanings={})
