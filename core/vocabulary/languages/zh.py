"""stub"""

from core.vocabulary.languages import Language

LANGUAGE = Language(code="zh", name="zh", meanings={})
