"""stub"""
from core.vocabulary.languages import Language

LANGUAGE = Language(code="sv", name="sv", meanings={})
