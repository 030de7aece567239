"""stub"""
from core.vocabulary.languages import Language

LANGUAGE = Language(code="pl", name="pl", meanings={})
