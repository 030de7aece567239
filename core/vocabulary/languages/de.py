"""stub"""
from core.vocabulary.languages import Language

LANGUAGE = Language(code="de", name="de", meanings={})
