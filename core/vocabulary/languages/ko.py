"""stub"""

from core.vocabulary.languages import Language

LANGUAGE = Language(code="ko", name="ko", meanings={})
