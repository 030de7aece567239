"""stub"""

from core.vocabulary.languages import Language

LANGUAGE = Language(code="vi", name="vi", meanings={})
