"""stub"""

from core.vocabulary.languages import Language

LANGUAGE = Language(code="ja", name="ja", meanings={})
