"""Requests in twenty languages: served, refused, mapped to regions, planned like English."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import pytest

from adapters.ai.offline import plan_prompt
from core.engine import Engine, EngineConfig
from core.errors import NotAboutMusic
from core.identity import UserKeys
from core.models import LimitSettings, Profile, Strategy, StrategyAnswer, StrategyRequest, UserRef
from core.prompting import build_prompt
from core.strategy import read_strategy
from core.validation import LexicalValidator, assess
from core.vocabulary.scanner import read_tokens, scan
from core.vocabulary.tokens import normalise
from data.sqlite_store import SqliteStore
from tests.fakes.catalogue import FakeCatalogue, make_track
from tests.fakes.model import ScriptedModel

SERVED = {
    "es": ["música relajante para estudiar", "reguetón para la fiesta", "canciones de amor tristes"],
    "pt": ["sertanejo pra churrasco", "música calma pra dormir", "forró pra dançar"],
    "fr": ["chansons françaises tristes", "musique douce pour travailler", "rap des années 90"],
    "de": ["entspannte Musik zum Lernen", "Schlager zum Mitsingen", "Playlist fürs Joggen"],
    "it": ["canzoni italiane", "musica rilassante per studiare", "canzoni d'amore anni 80"],
    "nl": ["rustige muziek om te studeren", "vrolijke liedjes voor een feestje"],
    "sv": ["lugn musik att plugga till", "svenska låtar från 80-talet"],
    "pl": ["spokojna muzyka do nauki", "disco polo na wesele"],
    "ru": ["расслабляющий джаз для учебы", "грустные песни", "шансон в дорогу"],
    "uk": ["спокійна музика для навчання", "сумні пісні"],
    "tr": ["hüzünlü türkçe şarkılar", "arabesk şarkılar", "spor için enerjik müzik"],
    "id": ["lagu sedih untuk hari hujan", "dangdut koplo buat joget"],
    "vi": ["nhạc buồn cho ngày mưa", "nhac thu gian de hoc bai"],
    "hi": ["पढ़ाई के लिए शांत संगीत", "padhai ke liye shant gaane", "पुराने बॉलीवुड गाने"],
    "ja": ["勉強用のリラックスできるジャズ", "アニソンメドレー", "90年代のJ-POP"],
    "ko": ["운동할 때 듣는 신나는 노래", "케이팝 플레이리스트", "잔잔한 음악"],
    "zh": ["适合学习的轻音乐", "華語流行歌曲", "下雨天聽的爵士樂"],
    "ar": ["موسيقى هادئة قبل النوم", "أغاني حزينة"],
    "fa": ["موسیقی آرام برای مطالعه", "آهنگهای غمگین", "آهنگ‌های شاد"],
}
REFUSED = {
    "es": ["dame una receta de tortilla", "¿a qué hora sale el tren a Sevilla?"],
    "pt": ["qual é a previsão do tempo para amanhã", "quanto está o dólar hoje"],
    "fr": ["quel temps fera-t-il demain", "traduis cette phrase en anglais"],
    "de": ["wie wird das Wetter morgen", "schreib mir ein Bewerbungsschreiben"],
    "it": ["che tempo fa domani a Roma", "dammi la ricetta della carbonara"],
    "nl": ["wat voor weer wordt het morgen", "help me met mijn huiswerk"],
    "sv": ["hur blir vädret i morgon", "när går nästa tåg till Göteborg"],
    "pl": ["jaka będzie jutro pogoda", "podaj mi przepis na pierogi"],
    "ru": ["какая погода будет завтра", "какой сегодня курс доллара"],
    "uk": ["яка погода буде завтра", "переклади це речення англійською"],
    "tr": ["yarın hava nasıl olacak", "matematik ödevime yardım et"],
    "id": ["bagaimana cuaca besok", "kasih resep nasi goreng"],
    "vi": ["thời tiết ngày mai thế nào", "tỷ giá đô la hôm nay là bao nhiêu"],
    "hi": ["कल मौसम कैसा रहेगा", "aaj dollar ka rate kya hai"],
    "ja": ["明日の東京の天気は？", "カレーのレシピを教えて"],
    "ko": ["내일 서울 날씨 어때", "수학 숙제 좀 도와줘"],
    "zh": ["明天北京的天气怎么样", "明天台北的天氣怎麼樣"],
    "ar": ["كيف سيكون الطقس غدا", "أعطني وصفة الكبسة"],
    "fa": ["هوای فردا در تهران چطور است", "نرخ دلار امروز چند است"],
}


def _served(prompt: str) -> bool:
    return assess(prompt).score >= LexicalValidator().threshold


@pytest.mark.parametrize(("code", "prompt"), [(c, p) for c, ps in SERVED.items() for p in ps])
def test_a_music_request_in_any_language_is_served(code: str, prompt: str) -> None:
    assert _served(prompt), (code, assess(prompt))


@pytest.mark.parametrize(("code", "prompt"), [(c, p) for c, ps in REFUSED.items() for p in ps])
def test_an_everyday_request_in_any_language_is_refused(code: str, prompt: str) -> None:
    assert not _served(prompt), (code, assess(prompt))


@pytest.mark.parametrize("prompt", ["qual é a previsão do tempo para amanhã", "che tempo fa domani",
                                    "der Rock ist zu kurz, wo kann ich ihn umtauschen",
                                    "I lied to my boss, how do I apologise"])
def test_a_false_friend_alone_is_not_enough(prompt: str) -> None:
    assert not _served(prompt), assess(prompt)


def test_normalising_folds_accents_and_script_variants() -> None:
    assert normalise("Música ÉNERGÉTIQUE") == "musica energetique"
    assert normalise("Şarkı İSTANBUL ılık") == "sarki istanbul ilik"
    assert normalise("ёлка łódź Đà Nẵng straße") == "елка lodz da nang strasse"
    assert normalise("موسيقى كلاسيك") == normalise("موسیقی کلاسیک")
    assert normalise("華語音樂") == "华语音乐"
    assert normalise("ｊａｚｚ") == "jazz"


def test_chinese_and_japanese_runs_are_cut_into_lexicon_words() -> None:
    assert read_tokens("勉強用のリラックスできるジャズ").words[:1] == ["勉強用"]
    assert "ジャズ" in read_tokens("勉強用のリラックスできるジャズ").words
    assert "轻音乐" in read_tokens("适合学习的轻音乐").words


def test_inflected_words_are_read_through_their_stem() -> None:
    keys = {m.term.key for m in scan("послушать музыку для учёбы")}
    assert {"music", "studying"} <= keys
    assert "songs" in {m.term.key for m in scan("노래를 틀어줘")}
    assert "studying" in {m.term.key for m in scan("موسيقى للدراسة")}


@pytest.mark.parametrize(("prompt", "genre"), [
    ("canciones en español", "spanish"), ("türkçe şarkılar", "turkish"), ("bollywood hits", "pop-film"),
    ("華語歌曲", "mandopop"), ("chansons françaises", "french"), ("k-pop", "k-pop"),
    ("música brasileira", "brazil"), ("케이팝 노래", "k-pop"), ("موسیقی سنتی ایرانی", "iranian"),
    ("deutsche Lieder", "german"), ("svenska låtar", "swedish"), ("हिंदी गाने", "indian"),
])  # fmt: skip
def test_a_named_region_or_scene_maps_to_its_catalogue_genres(prompt: str, genre: str) -> None:
    assert genre in plan_prompt(prompt, Profile())["genres"]


@pytest.mark.parametrize("prompt", ["entspannte Musik zum Lernen", "musique douce pour travailler",
                                    "música relajante para estudiar", "勉強用の音楽"])
def test_the_language_of_a_request_is_not_a_request_for_its_region(prompt: str) -> None:
    regional = {"german", "french", "spanish", "j-pop", "j-rock", "latin", "latino"}
    assert not regional & set(plan_prompt(prompt, Profile())["genres"])


@pytest.mark.parametrize(("translated", "english"), [
    ("música relajante para estudiar", "relaxing music for studying"),
    ("canciones tristes para un día de lluvia", "sad songs for a rainy day"),
    ("entspannte Musik zum Lernen", "relaxing music for studying"),
    ("расслабляющий джаз для учебы", "relaxing jazz for studying"),
    ("勉強用のリラックスできるジャズ", "relaxing jazz for studying"),
    ("운동할 때 듣는 신나는 노래", "upbeat songs for working out"),
    ("موسيقى هادئة قبل النوم", "calm music before sleep"),
    ("पढ़ाई के लिए शांत संगीत", "calm music for studying"),
])  # fmt: skip
def test_a_translated_request_plans_the_same_kind_of_playlist(translated: str, english: str) -> None:
    ours, theirs = plan_prompt(translated, Profile()), plan_prompt(english, Profile())
    assert set(ours["moods"]) == set(theirs["moods"])
    # word order may break a tie between two equally fitting genres the other way
    shared = set(ours["genres"]) & set(theirs["genres"])
    assert len(shared) / len(set(ours["genres"]) | set(theirs["genres"])) >= 0.6
    assert (ours["energy"], ours["valence"]) == (theirs["energy"], theirs["valence"])


def test_negation_reads_in_other_languages() -> None:
    assert "reggaeton" not in plan_prompt("música latina sin reguetón", Profile())["genres"]
    assert "metal" not in plan_prompt("Rock ohne Metal", Profile())["genres"]


# --- the model judges what the lexical check is unsure of --------------------------------
ALICE = UserRef("console", "alice", "console")
JAZZ = Strategy(title="Jazz", genres=("jazz",), queries=('genre:"jazz"',), is_music_request=True)
NOT_MUSIC = Strategy(title="-", is_music_request=False, reason="Das ist eine Wetterfrage.")


def _engine(store: SqliteStore, model: ScriptedModel, *, judges: bool = True) -> Engine:
    tracks = [make_track(i, f"Tune {i}", f"Artist {i % 7}", "jazz") for i in range(40)]
    return Engine(
        store=store, model=model, catalogue=FakeCatalogue(tracks), validator=LexicalValidator(),
        keys=UserKeys(b"k" * 32), clock=lambda: datetime(2026, 12, 2, 12, tzinfo=UTC),
        config=EngineConfig(defaults=LimitSettings(max_playlists_per_day=3), model_judges=judges),
    )  # fmt: skip


def test_a_prompt_of_unknown_words_is_unsure_and_a_task_is_not() -> None:
    assert assess("ქართული სიმღერები").unsure  # Georgian: no word known
    assert not assess("what is the capital of France").unsure


async def test_the_model_judges_an_unsure_prompt_and_serves_it(store: SqliteStore) -> None:
    model = ScriptedModel(JAZZ)
    playlist = await _engine(store, model).generate(ALICE, "ქართული სიმღერები", 10)
    assert playlist.tracks and model.requests[0].judge_music


async def test_a_model_verdict_of_not_music_refuses_with_its_reason_and_charges_nothing(
    store: SqliteStore,
) -> None:
    engine = _engine(store, ScriptedModel(NOT_MUSIC))
    with pytest.raises(NotAboutMusic) as refused:
        await engine.generate(ALICE, "ქართული ამინდი ხვალ", 10)
    assert refused.value.user_message == "Das ist eine Wetterfrage."
    assert (await engine.limits_status(ALICE)).playlists_used_today == 0


async def test_without_a_model_the_unsure_prompt_stays_refused(store: SqliteStore) -> None:
    model = ScriptedModel(JAZZ)
    with pytest.raises(NotAboutMusic):
        await _engine(store, model, judges=False).generate(ALICE, "ქართული სიმღერები", 10)
    assert not model.requests


async def test_an_offline_fallback_cannot_judge_so_the_doubt_refuses(store: SqliteStore) -> None:
    class Offline(ScriptedModel):
        async def plan(self, request: StrategyRequest) -> StrategyAnswer:
            answer = await super().plan(request)
            return dataclasses.replace(answer, provider="offline")

    engine = _engine(store, Offline(dataclasses.replace(JAZZ, is_music_request=None)))
    with pytest.raises(NotAboutMusic):
        await engine.generate(ALICE, "ქართული სიმღერები", 10)
    assert (await engine.limits_status(ALICE)).playlists_used_today == 0


async def test_a_plain_task_is_refused_before_any_model_is_asked(store: SqliteStore) -> None:
    model = ScriptedModel(JAZZ)
    with pytest.raises(NotAboutMusic):
        await _engine(store, model).generate(ALICE, "what is the capital of France", 10)
    assert not model.requests


def test_a_judging_request_asks_for_the_verdict_and_a_refusal_reads_without_songs() -> None:
    prompt = build_prompt(StrategyRequest(prompt="x", count=10, judge_music=True))
    assert "is_music_request" in prompt.user
    assert "is_music_request" not in build_prompt(StrategyRequest(prompt="x", count=10)).user
    reading = read_strategy({"title": "-", "genres": [], "moods": [], "energy": 0.5, "songs": [],
                             "queries": [], "is_music_request": False, "reason": "Weather."})
    assert reading.strategy.is_music_request is False and reading.strategy.reason == "Weather."


def test_the_reference_requests_cover_every_language() -> None:
    from adapters.ai.reference_phrases import (
        load_all_reference_phrases,
        load_language_reference_phrases,
        load_reference_phrases,
    )
    from core.vocabulary.languages import CODES

    by_language = load_language_reference_phrases()
    assert set(by_language) == set(CODES)
    assert all(len(phrases) >= 2 for phrases in by_language.values())
    every = load_all_reference_phrases()
    assert every[: len(load_reference_phrases())] == load_reference_phrases()
    assert len(every) == len(set(every))
    assert all(_served(p) for phrases in by_language.values() for p in phrases)


@pytest.mark.parametrize(("prompt", "artists"), [
    ("canciones de Shakira para bailar", ("Shakira",)), ("chansons comme Stromae", ("Stromae",)),
    ("Lieder von Nena und Peter Fox", ("Nena", "Peter Fox")), ("músicas do Djavan", ("Djavan",)),
    ("canciones de amor", ()), ("música de los 80", ()), ("Paco de Lucía", ()),
    ("Lana Del Rey", ()), ("Wie ist das Wetter in Berlin", ()),
])  # fmt: skip
def test_artists_are_read_after_other_languages_by_and_like(
    prompt: str, artists: tuple[str, ...]
) -> None:
    from core.vocabulary.artist_names import extract_artists

    assert extract_artists(prompt) == artists


@pytest.mark.parametrize(("prompt", "unwanted"), [
    ("can I ask for some jazz", "romantic"),  # Turkish aşk folds to "ask"
    ("musique douce dans la voiture", "dancing"),  # Turkish dans
    ("Musik für mein Zimmer", "winter"),  # Polish zima
    ("a rapid fire hip hop mix", "hip-hop-twice"),
])  # fmt: skip
def test_another_languages_word_does_not_change_an_english_or_other_reading(
    prompt: str, unwanted: str
) -> None:
    keys = [m.term.key for m in scan(prompt)]
    assert unwanted not in keys
    assert keys.count("hip-hop") <= 1


def test_an_english_list_of_hits_is_no_letter_to_write() -> None:
    assert _served("make me a list of 90s hits")
    assert not assess("make me a list of 90s hits").negative


@pytest.mark.parametrize(("prompt", "title"), [
    ("勉強用のリラックスできるジャズ", "Relaxing Jazz for Studying"),
    ("ボカロ曲のプレイリスト", "J-Pop"),
    ("موسیقی سنتی ایرانی", "Iranian"),
])  # fmt: skip
def test_an_offline_title_reads_the_genres_found_in_any_script(prompt: str, title: str) -> None:
    assert plan_prompt(prompt, Profile())["title"] == title


@pytest.mark.parametrize("prompt", ["Hintergrundmusik für ein Restaurant", "carnavalskrakers",
                                    "bakgrundsmusik till en restaurang", "레스토랑 배경음악을 틀어줘",
                                    "jazz para un vuelo largo"])
def test_compounds_and_occasions_read_as_music(prompt: str) -> None:
    assert _served(prompt), assess(prompt)


@pytest.mark.parametrize("prompt", ["7時にアラームをセットして", "5マイルをキロに変換して",
                                    "pon una alarma a las 7", "escribe un poema sobre el mar"])
def test_assistant_chores_in_other_languages_are_refused(prompt: str) -> None:
    assert not _served(prompt), assess(prompt)


async def test_a_models_refusal_reason_with_a_link_is_replaced_by_ours(store: SqliteStore) -> None:
    phishing = dataclasses.replace(NOT_MUSIC, reason="Log in at https://evil.example to continue")
    with pytest.raises(NotAboutMusic) as refused:
        await _engine(store, ScriptedModel(phishing)).generate(ALICE, "ქართული ამინდი ხვალ", 10)
    assert "evil" not in refused.value.user_message and refused.value.user_message


def test_the_bench_set_stays_above_the_bar_in_every_language() -> None:
    """The languages benchmark's set, read by the lexical check: at least 90% of the music
    requests served and of the other requests refused, per language (all of them today)."""
    import json
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    languages = json.loads((root / "tests/bench/languages_set.json").read_text("utf-8"))["languages"]
    for code, requests in languages.items():
        served = sum(_served(p) for p in requests["music"]) / len(requests["music"])
        refused = sum(not _served(p) for p in requests["other"]) / len(requests["other"])
        assert served >= 0.9 and refused >= 0.9, (code, served, refused)


@pytest.mark.parametrize(("prompt", "served"), [
    ("расслабляющий джаз для учебы", True), ("勉強用のリラックスできるジャズ", True),
    ("jazz suave para cenar", True), ("какая погода будет завтра", False),
    ("明天北京的天气怎么样", False),
])  # fmt: skip
async def test_the_engine_with_the_offline_planner_serves_and_refuses_in_any_language(
    store: SqliteStore, prompt: str, served: bool
) -> None:
    from adapters.ai.offline import OfflineStrategyProvider

    engine = _engine(store, ScriptedModel(JAZZ), judges=False)
    engine.model = OfflineStrategyProvider()
    if served:
        playlist = await engine.generate(ALICE, prompt, 10)
        assert playlist.tracks and playlist.provider == "offline"
    else:
        with pytest.raises(NotAboutMusic):
            await engine.generate(ALICE, prompt, 10)
        assert (await engine.limits_status(ALICE)).playlists_used_today == 0
