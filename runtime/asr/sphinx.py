"""pocketsphinx, constrained by the home's grammar, with out-of-grammar rejection.

The decoder searches a JSGF grammar compiled from devices.yaml and the command templates
(runtime/asr/grammar.py). A grammar alone maps *any* speech onto some command, so the grammar
also offers a competing path: a free loop of phones ("garbage"). Speech that fits a command is
explained better by the command's words; speech that doesn't is explained better by the phone
loop, and the decoder's own best path then contains phones: the utterance is rejected. The per-phone
penalty `garbage_penalty` trades false rejections against false acceptances; its default was
measured with benchmarks/audio.py on synthesized in- and out-of-grammar speech.

pocketsphinx's posterior probability (`hyp().prob`) is not used: it is ~1 for whatever the grammar
forces, in grammar or not.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from pathlib import Path
from typing import Any

import numpy as np

from runtime.asr.base import AsrUnavailable
from runtime.asr.grammar import Grammar, build_grammar, nlu_sentences, slot_values
from runtime.asr.pronounce import dictionary_words, espeak_phones
from runtime.config import Config
from runtime.events import AudioChunk, Partial, Transcript, Word

log = logging.getLogger(__name__)

PHONES = [
    "AA",
    "AE",
    "AH",
    "AO",
    "AW",
    "AY",
    "B",
    "CH",
    "D",
    "DH",
    "EH",
    "ER",
    "EY",
    "F",
    "G",
    "HH",
    "IH",
    "IY",
    "JH",
    "K",
    "L",
    "M",
    "N",
    "NG",
    "OW",
    "OY",
    "P",
    "R",
    "S",
    "SH",
    "T",
    "TH",
    "UH",
    "UW",
    "V",
    "W",
    "Y",
    "Z",
    "ZH",
]
# A coarse phone set for the garbage loop: one phone per broad class keeps the loop cheap to search
GARBAGE_PHONES = [
    "AA",
    "AE",
    "AH",
    "AO",
    "ER",
    "EH",
    "IH",
    "IY",
    "UW",
    "AY",
    "OW",
    "B",
    "D",
    "G",
    "P",
    "T",
    "K",
    "F",
    "V",
    "S",
    "Z",
    "SH",
    "TH",
    "HH",
    "M",
    "N",
    "L",
    "R",
    "W",
    "Y",
]
GARBAGE_PREFIX = "ph_"
DEFAULT_GARBAGE_PENALTY = 1e-6  # per phone; measured: 1e-3 rejects 9/30 commands, 1e-10 accepts most OOG
FRAME_S = 0.01
# Narrower beams than pocketsphinx's defaults (tuned for large n-gram search): a small grammar
# needs far fewer active HMMs, and this is what keeps the decoder well under real time on a Pi.
DECODER_OPTIONS: dict[str, Any] = {"beam": 1e-30, "wbeam": 1e-20, "pbeam": 1e-30, "maxhmmpf": 3000}
# Faint noise added to the input (std in int16 units, about -56 dBFS). pocketsphinx's model was
# trained on recordings, which never hold digital silence; WAVs and synthesized speech do, and
# their -inf log energies wreck its cepstral mean normalization: measured on espeak-ng commands,
# 18/30 exact without it, 29/30 with it. pocketsphinx's own `dither` (1 LSB) is too faint.
DITHER_STD = 50.0  # pocketsphinx works in 10 ms frames


def cache_dir() -> Path:
    """Compiled grammars live here: $AMBIENT_CACHE, else ~/.cache/ambient-edge."""
    root = os.environ.get("AMBIENT_CACHE") or Path.home() / ".cache" / "ambient-edge"
    return Path(root) / "asr"


def model_paths(config: Config | None) -> tuple[str, str]:
    """(acoustic model dir, dictionary) for 'bundled' or a user model directory."""
    import pocketsphinx

    if config is None or config.asr.model == "bundled":
        return pocketsphinx.get_model_path("en-us/en-us"), pocketsphinx.get_model_path(
            "en-us/cmudict-en-us.dict"
        )
    root = config.resolve_path(config.asr.model)
    dicts = sorted(root.glob("*.dict"))
    hmm = next((p for p in [root, *root.iterdir()] if (p / "mdef").exists()), None)
    if hmm is None or not dicts:
        raise AsrUnavailable(
            f"{root}: expected a pocketsphinx model (a folder with mdef, means, ... and a .dict file); "
            "use asr.model: bundled for the en-us model that ships with `pip install pocketsphinx`"
        )
    return str(hmm), str(dicts[0])


def garbage_rules(penalty: float, phones: list[str] = GARBAGE_PHONES) -> str:
    """A phone loop that competes with the commands; each further phone of it costs `penalty`.

    JSGF weights are normalized among alternatives, so "go on with probability `penalty`, else
    stop" is written as `/penalty/ <garbage> | /1/ <NULL>`.
    """
    alts = " | ".join(f"{GARBAGE_PREFIX}{p.lower()}" for p in phones)
    return (
        "public <utterance> = <command> | <garbage>;\n"
        f"<garbage> = <phone> ( /{penalty:g}/ <garbage> | /1/ <NULL> );\n"
        f"<phone> = {alts};\n"
    )


class PocketsphinxEngine:
    name = "pocketsphinx"

    def __init__(
        self,
        config: Config,
        garbage_penalty: float = DEFAULT_GARBAGE_PENALTY,
        sentences: list[str] | None = None,
        **decoder_options: Any,
    ) -> None:
        try:
            import pocketsphinx
        except ImportError:
            raise AsrUnavailable(
                "pocketsphinx is not installed: `pip install 'pocketsphinx>=5,<6'`"
            ) from None
        hmm, dict_path = model_paths(config)
        options = {"loglevel": "FATAL", **DECODER_OPTIONS, **decoder_options}
        self.decoder: Any = pocketsphinx.Decoder(hmm=hmm, dict=dict_path, lm=None, **options)
        self.garbage_penalty = garbage_penalty
        sentences = nlu_sentences(config) if sentences is None else sentences
        self.grammar, extra = compile_grammar(config, dict_path, sentences, garbage_penalty)
        for word, phones in extra.items():
            self.decoder.add_word(word, phones, False)
        for p in GARBAGE_PHONES:
            self.decoder.add_word(f"{GARBAGE_PREFIX}{p.lower()}", p, False)
        self.decoder.add_jsgf_string("home", self.grammar.jsgf)
        self.decoder.activate_search("home")
        self._in_utt = False
        self._last_partial = ""
        self._rng = np.random.default_rng(0)

    def start(self) -> None:
        if self._in_utt:
            self.decoder.end_utt()
        self.decoder.start_utt()
        self._in_utt = True
        self._last_partial = ""
        self._rng = np.random.default_rng(0)  # the same audio always decodes the same way

    def accept(self, chunk: AudioChunk) -> Partial | None:
        if not self._in_utt:
            self.start()
        noisy = chunk.samples + self._rng.normal(0.0, DITHER_STD, len(chunk.samples))
        self.decoder.process_raw(np.clip(noisy, -32768, 32767).astype("<i2").tobytes(), False, False)
        hyp = self.decoder.hyp()
        text = _words_only(hyp.hypstr) if hyp is not None else ""
        if text and text != self._last_partial:
            self._last_partial = text
            return Partial(text, chunk.timestamp + chunk.duration)
        return None

    def final(self) -> Transcript:
        if not self._in_utt:
            self.start()
        self.decoder.end_utt()
        self._in_utt = False
        hyp = self.decoder.hyp()
        if hyp is None or not hyp.hypstr.strip():
            return Transcript("", 0.0, engine=self.name, rejected=True, reject_reason="no speech matched")
        words = [
            Word(_base(s.word), s.start_frame * FRAME_S, (s.end_frame + 1) * FRAME_S, float(s.prob))
            for s in self.decoder.seg()
            if not s.word.startswith(("<", "[")) and s.word != "<sil>"
        ]
        garbage = [w for w in words if w.text.startswith(GARBAGE_PREFIX)]
        if garbage:
            return Transcript(
                "",
                0.0,
                engine=self.name,
                rejected=True,
                reject_reason=f"out of grammar: a phone loop explained the audio better ({len(garbage)} phones)",
            )
        text = " ".join(w.text for w in words)
        if not self.decoder.get_fsg("home").accept(text):
            # the search ended inside a command (pocketsphinx then returns its best partial path)
            return Transcript(
                text, 0.0, words=words, engine=self.name, rejected=True, reject_reason="incomplete command"
            )
        confidence = min((w.confidence for w in words), default=0.0)
        return Transcript(text, confidence, words=words, engine=self.name)


def _base(word: str) -> str:
    """'on(2)' -> 'on': alternate pronunciations are the same word."""
    return word.split("(", 1)[0]


def _words_only(hypstr: str) -> str:
    return " ".join(w for w in hypstr.split() if not w.startswith(GARBAGE_PREFIX))


def compile_grammar(
    config: Config, dict_path: str, sentences: list[str], garbage_penalty: float
) -> tuple[Grammar, dict[str, str]]:
    """The home's grammar plus pronunciations for words missing from the dictionary.

    Cached on disk keyed by a hash of everything that goes into it (vocabulary, sentences,
    dictionary, penalty, this module's templates), since espeak-ng lookups cost ~20 ms a word.
    """
    from runtime.asr import grammar as grammar_module

    key_src = json.dumps(
        {
            "slots": slot_values(config),
            "sentences": sentences,
            "templates": list(grammar_module.TEMPLATES),
            "dict": [dict_path, Path(dict_path).stat().st_size],
            "penalty": garbage_penalty,
            "version": 2,
        },
        sort_keys=True,
    )
    key = hashlib.sha256(key_src.encode()).hexdigest()[:16]
    path = cache_dir() / f"grammar-{key}.json"
    if path.exists():
        try:
            data = json.loads(path.read_text())
            return Grammar(data["jsgf"], frozenset(data["words"])), dict(data["pronunciations"])
        except (ValueError, KeyError) as e:
            log.warning("ignoring a broken grammar cache %s (%s)", path, e)

    known = dictionary_words(dict_path)
    extra: dict[str, str] = {}

    def pronounceable(word: str) -> bool:
        if word in known or word in extra:
            return True
        phones = espeak_phones(word)
        if phones:
            log.info("no dictionary entry for %r; using espeak-ng's %s", word, " ".join(phones))
            extra[word] = " ".join(phones)
            return True
        return False

    g = build_grammar(config, sentences, known=pronounceable)
    if garbage_penalty > 0:
        g = Grammar(g.jsgf.replace("public <command>", "<command>") + garbage_rules(garbage_penalty), g.words)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps({"jsgf": g.jsgf, "words": sorted(g.words), "pronunciations": extra}))
        tmp.replace(path)
    except OSError as e:  # a read-only home is no reason not to recognize speech
        log.warning("cannot cache the grammar in %s (%s)", path.parent, e)
    return g, extra
