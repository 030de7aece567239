"""stub"""
from core.vocabulary.languages import Language

LANGUAGE = Language(code="it", name="it", meanings={})
