"""stub"""
from core.vocabulary.languages import Language

LANGUAGE = Language(code="nl", name="nl", meanings={})
