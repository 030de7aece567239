"""stub"""
from core.vocabulary.languages import Language

LANGUAGE = Language(code="fr", name="fr", meanings={})
