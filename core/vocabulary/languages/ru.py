"""stub"""
from core.vocabulary.languages import Language

LANGUAGE = Language(code="ru", name="ru", meanings={})
