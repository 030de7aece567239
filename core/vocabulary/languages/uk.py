"""stub"""
from core.vocabulary.languages import Language

LANGUAGE = Language(code="uk", name="uk", meanings={})
