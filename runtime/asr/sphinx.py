"""pocketsphinx, constrained by a language model of the home's commands, with out-of-grammar rejection.

The decoder searches a small trigram LM (runtime/asr/lm.py) trained on sentences from the command
templates filled with devices.yaml's names (runtime/asr/grammar.py) plus the NLU's training
sentences when `models/nlu/data.py` provides them. Words missing from the CMU dictionary get
espeak-ng pronunciations. Measured on synthesized commands, this LM decodes as accurately as a
JSGF grammar of the same templates at a fraction of the cost (the FSG of ~40 templates plus 400
sentences ran at 0.5-1x real time here; the LM at ~0.1x).

Out-of-grammar rejection: pocketsphinx's posterior (`hyp().prob`) is ~1 for whatever the search
forces, in grammar or not, and a phone-loop competitor inside the grammar cost 3-5x the decode.
What separates them cheaply is the LM itself: an LM-constrained decoder turns ordinary speech into
word salad ("the quick brown fox..." -> "when i don't artist i'm leaving on") whose words the LM
finds improbable, while commands come out as the fluent sentences it was trained on. A text that
is a whole sentence of the templates is accepted; any other text when its mean log10 probability
per word reaches `reject_below`, whose default was set on synthesized in-grammar vs out-of-grammar
speech (benchmarks/asr_dev.py; benchmarks/audio.py reports both rates and a sweep over thresholds).

Cepstral mean normalization: decoding streams (partials feed the pipeline's early endpointing) with
pocketsphinx's running mean. When that mean does not fit the utterance (a fresh decoder, a new
voice, leading silence) a command becomes word salad and is rejected, so the buffered utterance is
decoded a second time normalized by its own mean, for rejected utterances and a decoder's first.

N-best rescoring: the trigram LM lets the search end a command in a word sequence no template makes
("volume to olive", "lower the living room light it"), while the intended sentence often sits a few
places down the lattice's n-best list. When the best hypothesis is not a sentence of the command
templates, the first of the next few distinct hypotheses that is one replaces it (`NBEST`).

Grammar pass: when no n-best hypothesis is a template sentence either, the buffered utterance is
decoded once more by a JSGF search of the templates (runtime/asr/grammar.py's `grammar_jsgf`), which
can only produce template sentences. Its sentence replaces the LM pass's when it is spelled like
the LM pass's text or one of its first n-best hypotheses (`MAX_GRAMMAR_DISTANCE`): a misheard command ("you the bedroom light") lies a few letters from
its sentence ("dim the bedroom light"), while ordinary speech forced into the grammar comes out as
an unrelated command. A command taken this way is accepted whatever its LM fluency. The pass costs
about one more decode (0.8x an LM pass) for the utterances whose LM text is no template sentence.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from rapidfuzz.distance import Levenshtein

from runtime.asr.base import AsrUnavailable
from runtime.asr.grammar import (
    TEMPLATES,
    grammar_jsgf,
    grammar_pattern,
    in_grammar,
    lm_sentences,
    nlu_sentences,
    slot_values,
)
from runtime.asr.lm import NgramLM
from runtime.asr.pronounce import british_variants, dictionary_pronunciations, espeak_phones_of
from runtime.config import Config
from runtime.events import AudioChunk, Partial, Transcript, Word

log = logging.getLogger(__name__)

FRAME_S = 0.01  # pocketsphinx works in 10 ms frames
BYTES_PER_FRAME = 320  # 160 int16 samples at 16 kHz
# Measured on 60 commands / 30 ordinary sentences: at -1.5, 93% of the sentences are rejected and
# 12% of the commands (mostly ones the decoder got wrong anyway); -1.3 rejects all sentences.
# benchmarks/audio.py's threshold sweep (210 commands / 100 sentences, after the second CMN pass and
# the room-less device words) keeps -1.5: in-grammar false rejection / OOG rejection were 6.2% / 91%
# there, -1.6: 4.8% / 86%, -1.7: 2.9% / 81%; below -1.5 the out-of-grammar target (>= 90%) is lost.
# With the language weights below: -1.4: 6.2% / 95%, -1.5: 5.7% / 92%, -1.6: 5.2% / 88%, -1.7: 3.8% / 82%.
# With the n-best rescoring too: -1.4: 5.7% / 95%, -1.5: 5.2% / 92%, -1.6: 4.8% / 88%, -1.7: 3.3% / 82%.
# With the grammar pass (below) taking back the commands a stricter threshold rejects: -1.4 (see there).
# Since the British variants (runtime/asr/pronounce.py) the threshold applies only to text that is no
# sentence of the templates: a whole template sentence is accepted however rare its words ("dim floor
# lamp to eleven percent", -1.58), while ordinary speech comes out as word salad, which no template
# makes. On the dev set's recorded passes (`python benchmarks/asr_dev.py`, three pinned LMs),
# WER / in-grammar false rejection / OOG rejection went, for the LM in use, from 3.5 / 1.9 / 90.0%
# (-1.4 for all text) to -1.4: 3.3 / 1.7 / 90.0%, -1.3: 3.3 / 1.7 / 92.5%, -1.25: 3.3 / 1.7 / 93.3%,
# -1.2: 3.3 / 1.9 / 94.2%, -1.1: 3.5 / 2.1 / 94.6% (the other two LMs alike).
DEFAULT_REJECT_BELOW = -1.25
# Language weights of pocketsphinx's three passes (its defaults: 6.5, 8.5, 9.5): the first two passes
# prune with a weight nearer the last pass's, so a command's words are not pruned early in favour
# of acoustically closer salad. Chosen on a dev set (160 commands from seed 777 in 8 espeak-ng voices,
# 120 sentences; none of them the benchmark's; the LM's sentences pinned), WER / in-grammar false
# rejection / OOG rejection at -1.5: defaults 18.2% / 8.8% / 91%; 8.5, 8.5, 9.5: 16.0% / 8.1% / 93%;
# 10, 10, 9.5: 16.5% / 8.8% / 93%; 10, 10, 10: 16.4% / 8.8% / 92%; 12, 12, 12 (unpinned):
# 15.7% / 8.1% / 84%. Higher weights trade OOG rejection for WER.
LANGUAGE_WEIGHTS = {"lw": 8.5, "fwdflatlw": 8.5, "bestpathlw": 9.5}
# Sentences of each template (50 in the example home) that train the LM, each template drawn on its
# own (grammar.lm_sentences). With one shared draw of 3,000, adding two templates kept 6 of the 15
# commands misheard among the same 210 (benchmarks/audio.py --commands-json) and made 5 new ones; with
# a draw per template it kept 13 of 14. In-grammar WER / loop WER / OOG rejection, shared draw ->
# per template with names dealt: standard draw 1.5 / 1.5 / 94% -> 0.8 / 2.1 / 94%, f0bd995's 210
# commands 2.1 / 2.4 / 94% -> 1.6 / 1.8 / 94%, dev (--dev) 2.8 / 3.6 / 93.3% -> 3.4 / 3.7 / 94.2%.
TEMPLATE_DRAWS = 60
# Faint noise added to the input (std in int16 units, about -56 dBFS). pocketsphinx's model was
# trained on recordings, which never hold digital silence; WAVs and synthesized speech do, and
# their -inf log energies wreck its cepstral mean normalization. Measured WER on 60 espeak-ng
# commands (6 voices x 3 speeds): 18/30 exact sentences without it; std 20: 17.5%, 50: 10.0%,
# 150: 7.6%, 300: 7.6%, 600: 11.3%; but from 150 up, a second of trailing silence turns into words
# ("turn on the kitchen light off"). pocketsphinx's own `dither` (1 LSB) is too faint.
# Re-measured with the language weights above on the dev set (WER / in-grammar false rejection / OOG
# rejection): std 30: 23.1% / 11.3% / 94%; 50: 16.0% / 8.1% / 93%; 80: 14.3% / 8.8% / 90%;
# 100: 12.6% / 6.9% / 96%; 130: 13.0% / 6.9% / 93%. But from 80 up the noise after a final "t"
# passes for an "s": "turn off the light" -> "... lights" (of 30 basic commands: 4 at 80, 7 at 100,
# 2 at 50), a different request; so 50 stays.
DITHER_STD = 50.0
# How many distinct n-best hypotheses (and raw lattice paths: many differ only in fillers or
# pronunciation variants) to search for a sentence of the templates when the best one is not.
# Dev set (as above), WER / in-grammar false rejection / OOG rejection at -1.5, measured offline from
# n-best lists: without 16.0% / 8.1% / 93%; 3 or 5: 15.3% / 8.1% / 93%; 10: 14.2% / 6.9% / 93%;
# 14, 20, 30: as 10. Oracle WER of the best of the top 1 / 3 / 5 / 10: 15.5 / 12.9 / 11.7 / 10.2%.
# Preferring the most fluent of the n-best (by the LM) instead: 14.8% / 3.1% / 90%, OOG too close.
# In the engine on dev: 14.2% / 6.9% / 93%, ASR CPU RTF 0.086 with and without. benchmarks/audio.py
# (test set): WER 9.2% -> 8.3%, false rejection 5.7% -> 5.2%, OOG rejection 92% -> 92%, loop WER
# 15.0% -> 12.9%, wake+VAD+ASR CPU RTF 0.095 -> 0.091. The remaining errors are mostly not in the
# top 10 at all (dev oracle WER 10.2%): acoustic confusions ("thank you" -> "stop you").
NBEST, NBEST_PATHS = 10, 30
# Grammar pass: when the LM pass's text (after n-best rescoring) is no sentence of the templates, the
# utterance is decoded once more constrained to the templates (a JSGF search), and that sentence is
# taken when it is spelled close to what the LM pass heard: at most this normalized character edit
# distance (rapidfuzz's Levenshtein over the longer string). A command the LM pass got slightly wrong
# ("please don't the coffee maker on please") is a few letters from its template sentence; ordinary
# speech forced into the grammar ("the blinds one light on movie" -> "are the blinds on") is not.
# Chosen on a dev set (480 commands from seed 777 in 8 espeak-ng voices; 120 sentences of
# benchmarks/audio.py's DEV_OUT_OF_GRAMMAR and 120 of benchmarks/asr_dev.py's, none of them the
# benchmark's; the LM's sentences pinned), WER / in-grammar false rejection / OOG rejection at -1.5
# (`python benchmarks/asr_dev.py`, its sweep): without the pass 13.3% / 5.4% / 93.3%;
# 0.3: 8.0% / 3.8% / 92.9%; 0.35: 7.2% / 2.9% / 92.9%; 0.4: 6.2% / 2.7% / 92.5%;
# 0.45: 5.7% / 2.5% / 92.5%; 0.5: 4.8% / 2.1% / 90.8%. At -1.4 and 0.45: 5.8% / 3.3% / 94.2%.
# (These from the LM pass's text alone.)
# Decoding the whole utterance instead of the words +- GRAMMAR_MARGIN_S: 5.5% / 2.3% / 91.2% at 0.45,
# for ~15% more time. The word edit distance separates worse (0.5 words: 6.3% / 2.9% / 91.2%);
# capping the LM text's words at 1.6x the sentence's gained little (0.5: 4.9% / 1.9% / 90.4%);
# tighter beams for the grammar's search (1e-35) cost accuracy and saved no time, and so did
# frame downsampling (-ds 2) and -topn 2 in a decoder of its own (exact 49 and 54 of 70 against 59).
# ASR CPU RTF on the dev commands (0.3 s of silence around each; a shared machine): 0.065 -> 0.069.
# Measuring the distance from the LM pass's text or any of its first few distinct n-best hypotheses
# (the misheard words often differ between them, the grammar's sentence lies close to one):
# dev at -1.5, distance 0.45 / 0.4 / 0.35, n-best 3: 5.1% / 1.5% / 91.2%, 5.2% / 1.5% / 92.1%,
# 6.2% / 2.3% / 92.5%; n-best 10: 3.9% / 0.8% / 90.0%, 4.3% / 1.2% / 91.2%, 5.0% / 1.7% / 92.1%.
# 0.4 with n-best 3 halves the false rejections for one more sentence of 240 accepted.
# Re-measured with the LM's sentences re-pinned to the current NLU data (`python benchmarks/asr_dev.py`,
# WER / false rejection / OOG rejection): -1.5, 0.4, n-best 3: 5.2% / 1.7% / 90.8%; -1.4, 0.4,
# n-best 10: 4.3% / 1.7% / 92.5%; -1.4, 0.45, n-best 10: 3.9% / 1.0% / 91.7%; -1.5, 0.45, n-best 10:
# 3.9% / 0.8% / 89.2%. A stricter fluency threshold rejects more ordinary speech, and the grammar
# pass, measured against more of the n-best, takes back the commands it would lose: -1.4 with 0.45
# and 10 is better on all three. The 10 are the hypotheses the n-best rescoring already listed.
# Tried and left out: when the grammar's search reaches no sentence at all (its beams pruned every
# path to the grammar's end; all 8 dev false rejections), a second search with beams of 1e-80 finds
# one ("thank you" for "stop you"), at ~4x a grammar pass's cost; but it finds sentences for ordinary
# speech as well: at equal OOG rejection (91.7%) false rejection was 1.5% with it, 1.0% without.
# The per-frame acoustic score of the grammar's path against the LM's over the same window did not
# separate commands (+1.8 .. -0.8) from ordinary speech (+3.1 .. -2.8) either.
MAX_GRAMMAR_DISTANCE, GRAMMAR_NBEST = 0.45, 10
LM_SEARCH, GRAMMAR_SEARCH, ANSWER_SEARCH = "home", "templates", "answers"
GRAMMAR_MARGIN_S = 0.3  # audio kept around the LM pass's words for the grammar pass


def cache_dir() -> Path:
    """Compiled language models live here: $AMBIENT_CACHE, else ~/.cache/ambient-edge."""
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


class PocketsphinxEngine:
    name = "pocketsphinx"

    def __init__(
        self,
        config: Config,
        reject_below: float = DEFAULT_REJECT_BELOW,
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
        options = {"loglevel": "FATAL", **LANGUAGE_WEIGHTS, **decoder_options}
        self.decoder: Any = pocketsphinx.Decoder(hmm=hmm, dict=dict_path, lm=None, **options)
        self.reject_below = reject_below
        if sentences is None:
            sentences = lm_sentences(config, TEMPLATE_DRAWS) + nlu_sentences(config)
        compiled = compile_language_model(config, dict_path, sentences)
        self.lm = NgramLM(compiled.sentences)
        self.grammar = grammar_pattern(config)
        for word, phones in {**compiled.pronunciations, **compiled.variants}.items():
            self.decoder.add_word(word, phones, False)
        self.decoder.add_lm_file(LM_SEARCH, str(compiled.arpa_path))
        known = lambda w: self.decoder.lookup_word(w) is not None  # noqa: E731
        self.decoder.add_jsgf_string(GRAMMAR_SEARCH, grammar_jsgf(config, known))
        self.decoder.activate_search(LM_SEARCH)
        self._in_utt = False
        self._warm = False  # has the decoder's running CMN seen an utterance yet?
        self._last_partial = ""
        self._rng = np.random.default_rng(0)
        self._audio: list[bytes] = []  # the utterance as decoded, for a second pass at final()
        self._alternatives: list[str] = []  # the last n-best search's distinct hypotheses
        self._expected: frozenset[str] = frozenset()  # answers to the question just asked
        self._answer_search = False  # whether ANSWER_SEARCH holds them

    def expect(self, phrases: Iterable[str]) -> None:
        """Accept these sentences too, until told otherwise: the answers to the question the
        assistant just asked ("the tv" to "Which one: the tv or the living room speaker?"). They are
        no template sentences, so the LM decodes them (adding them to the LM cost other commands)
        but the rejection threw them out."""
        self._expected = frozenset(" ".join(p.lower().split()) for p in phrases)
        known = sorted(p for p in self._expected if all(self.decoder.lookup_word(w) for w in p.split()))
        if known:  # a grammar of just these, for a second pass (as the templates' grammar is)
            rule = " | ".join(f"({p})" for p in known)
            self.decoder.add_jsgf_string(
                ANSWER_SEARCH, f"#JSGF V1.0;\ngrammar answers;\npublic <answer> = {rule};\n"
            )
        self._answer_search = bool(known)

    def _accepted(self, text: str) -> bool:
        """A whole template sentence, or an answer expected now."""
        return in_grammar(self.grammar, text) or text in self._expected

    def start(self) -> None:
        if self._in_utt:
            self.decoder.end_utt()
        self.decoder.start_utt()
        self._in_utt = True
        self._last_partial = ""
        self._rng = np.random.default_rng(0)  # the same audio always decodes the same way
        self._audio = []

    def accept(self, chunk: AudioChunk) -> Partial | None:
        if not self._in_utt:
            self.start()
        noisy = chunk.samples + self._rng.normal(0.0, DITHER_STD, len(chunk.samples))
        raw = np.clip(noisy, -32768, 32767).astype("<i2").tobytes()
        self._audio.append(raw)
        self.decoder.process_raw(raw, False, False)
        hyp = self.decoder.hyp()
        text = hyp.hypstr.strip() if hyp is not None else ""
        if text and text != self._last_partial:
            self._last_partial = text
            return Partial(text, chunk.timestamp + chunk.duration)
        return None

    def final(self) -> Transcript:
        if not self._in_utt:
            self.start()
        self.decoder.end_utt()
        self._in_utt = False
        first = self._transcript()
        cold, self._warm = not self._warm, True
        if not self._audio:
            return first
        raw = b"".join(self._audio)
        if first.text and not self._accepted(first.text) and self._answer_search:
            # a question is open: its answers first ("the egg timer" heard as "mute timer")
            heard = [first.text, *self._alternatives[:GRAMMAR_NBEST]]
            around = around_words(raw, first.words)
            answer = self._grammar_transcript(around, heard, keep_cmn=cold, search=ANSWER_SEARCH)
            if answer is not None:
                return answer
        if first.text and not self._accepted(first.text):
            heard = [first.text, *self._alternatives[:GRAMMAR_NBEST]]
            constrained = self._grammar_transcript(around_words(raw, first.words), heard, keep_cmn=cold)
            if constrained is not None:
                return constrained
        if not (first.rejected or cold):
            return first
        # The streaming pass normalized cepstra with the running mean: the model's default on a fresh
        # decoder (made for recordings, not for this input), else the previous utterance's. The first
        # utterance, a new voice or leading silence throw it off enough to turn a command into word
        # salad ("to on the kitchen light off"). The utterance is buffered: decode it once more,
        # normalized by its own mean. Only a fresh decoder's first utterance and rejected utterances
        # pay for this second pass.
        second = self._batch_transcript(raw, keep_cmn=cold)
        return first if second.rejected else second

    def _batch_transcript(self, raw: bytes, keep_cmn: bool, search: str = LM_SEARCH) -> Transcript:
        """Decode a whole utterance with cepstral mean normalization over that utterance.

        `keep_cmn`: let the next utterance start from this utterance's mean (better than a fresh
        decoder's default), else from the running estimate as if this pass had not happened.
        `search`: the LM or the templates' grammar; the LM is active again afterwards.
        """
        running = self.decoder.get_cmn(False)
        if search != LM_SEARCH:
            self.decoder.activate_search(search)
        try:
            self.decoder.start_utt()
            self.decoder.process_raw(raw, False, True)  # full_utt: CMN from this utterance alone
            self.decoder.end_utt()
            return self._transcript()
        finally:
            if search != LM_SEARCH:
                self.decoder.activate_search(LM_SEARCH)
            if not keep_cmn:
                self.decoder.set_cmn(running)

    def _grammar_transcript(
        self, raw: bytes, heard: list[str], keep_cmn: bool, search: str = GRAMMAR_SEARCH
    ) -> Transcript | None:
        """The utterance decoded within the templates (or the answers expected), if that sentence is
        spelled close to one of `heard` (the LM pass's text and first n-best hypotheses); None when
        the grammar finds nothing close (likely not a command)."""
        t = self._batch_transcript(raw, keep_cmn, search=search)
        if not t.text or not spelled_close(t.text, heard):
            return None
        # a template sentence close to what was heard is a command, however rare its words in the LM
        return Transcript(t.text, max(t.confidence, 0.5), t.words, engine=self.name)

    def _transcript(self) -> Transcript:
        """The decoder's last hypothesis as a Transcript, rejected when it is not fluent command language."""
        hyp = self.decoder.hyp()
        words = [
            Word(_base(s.word), s.start_frame * FRAME_S, (s.end_frame + 1) * FRAME_S, min(1.0, float(s.prob)))
            for s in (self.decoder.seg() if hyp is not None else [])
            if _is_word(s.word)
        ]
        if not words:
            return Transcript("", 0.0, engine=self.name, rejected=True, reject_reason="no speech recognized")
        text = " ".join(w.text for w in words)
        self._alternatives = []  # filled by the n-best search below, for the grammar pass
        template = self._accepted(text)
        if not template:
            alternative = self._grammatical_alternative()
            if alternative is not None:
                text, words, template = alternative, respaced(alternative.split(), words), True
        fluency = self.fluency(text)
        # a logistic around the threshold: 0.5 at `reject_below`, ~0.95 a unit of log10 above it
        confidence = 1.0 / (1.0 + math.exp(-3.0 * (fluency - self.reject_below)))
        if template:  # a whole sentence of the templates is a command, however rare its words
            return Transcript(text, max(confidence, 0.5), words, engine=self.name)
        if fluency < self.reject_below:
            reason = f"out of grammar: mean log10 P(word) {fluency:.2f} < {self.reject_below}"
            return Transcript(text, confidence, words, engine=self.name, rejected=True, reject_reason=reason)
        return Transcript(text, confidence, words, engine=self.name)

    def _grammatical_alternative(self) -> str | None:
        """The best of the next few n-best hypotheses that is a sentence of the templates, if any."""
        for i, hyp in enumerate(self.decoder.nbest()):
            if i >= NBEST_PATHS or len(self._alternatives) >= NBEST:
                break
            if hyp is None:  # pocketsphinx yields None for a lattice path it cannot spell out
                continue
            text = " ".join(_base(w) for w in hyp.hypstr.split() if _is_word(w))
            if text in self._alternatives:
                continue
            self._alternatives.append(text)
            if text and self._accepted(text):
                return text
        return None

    def fluency(self, text: str) -> float:
        """Mean log10 probability per word of `text` under the home's LM (the rejection score)."""
        lp = self.lm.word_logprobs(text)
        return sum(lp) / len(lp)


def spelled_close(sentence: str, heard: list[str], max_distance: float = MAX_GRAMMAR_DISTANCE) -> bool:
    """Is the grammar pass's `sentence` within `max_distance` (normalized character edit distance)
    of one of the texts `heard`?"""
    return min(Levenshtein.normalized_distance(h, sentence) for h in heard) <= max_distance


def around_words(raw: bytes, words: list[Word]) -> bytes:
    """The utterance from just before the first word heard to just after the last: the grammar's
    search costs by the frame, and an endpointed command ends in ~0.6 s of silence."""
    if not words:
        return raw
    start = max(0, int((words[0].start - GRAMMAR_MARGIN_S) / FRAME_S))
    end = int((words[-1].end + GRAMMAR_MARGIN_S) / FRAME_S)
    return raw[start * BYTES_PER_FRAME : end * BYTES_PER_FRAME]


def respaced(texts: list[str], words: list[Word]) -> list[Word]:
    """Words for an n-best hypothesis, which comes without timings: spread evenly over the time the
    best hypothesis's words took, each with their mean confidence."""
    start, end = words[0].start, words[-1].end
    step = (end - start) / len(texts)
    confidence = sum(w.confidence for w in words) / len(words)
    return [Word(t, start + i * step, start + (i + 1) * step, confidence) for i, t in enumerate(texts)]


def _is_word(token: str) -> bool:
    """Not a silence or filler token (<s>, </s>, <sil>, [NOISE], +BREATH+)."""
    return not token.startswith(("<", "[", "+"))


def _base(word: str) -> str:
    """'on(2)' -> 'on': alternate pronunciations are the same word."""
    return word.split("(", 1)[0]


@dataclass(frozen=True)
class CompiledLM:
    arpa_path: Path
    sentences: list[str]  # the training sentences that could be pronounced
    pronunciations: dict[str, str]  # words the dictionary lacks -> espeak-ng phones
    variants: dict[str, str]  # British alternates of the LM's words: "thank(2)" -> "TH AA NG K"


def compile_language_model(config: Config, dict_path: str, sentences: list[str]) -> CompiledLM:
    """The home's LM as an ARPA file, plus pronunciations for words missing from the dictionary
    and British variants of its words.

    Cached on disk keyed by a hash of everything that goes into it (sentences, dictionary, this
    module's templates), since espeak-ng reads the words missing from the dictionary and the
    British variants of all of them.
    """
    key_src = json.dumps(
        {
            "slots": slot_values(config),
            "sentences": sentences,
            "templates": list(TEMPLATES),
            "dict": [dict_path, Path(dict_path).stat().st_size],
            "version": 5,
        },
        sort_keys=True,
    )
    key = hashlib.sha256(key_src.encode()).hexdigest()[:16]
    folder = cache_dir()
    meta_path, arpa_path = folder / f"lm-{key}.json", folder / f"lm-{key}.arpa"
    if meta_path.exists() and arpa_path.exists():
        try:
            meta = json.loads(meta_path.read_text())
            return CompiledLM(
                arpa_path, list(meta["sentences"]), dict(meta["pronunciations"]), dict(meta["variants"])
            )
        except (ValueError, KeyError) as e:
            log.warning("ignoring a broken LM cache %s (%s)", meta_path, e)

    dictionary = dictionary_pronunciations(dict_path)
    missing = sorted({w for s in sentences for w in s.split()} - dictionary.keys())
    extra = {w: " ".join(p) for w, p in espeak_phones_of(missing).items()}  # one espeak-ng run
    unpronounceable = set(missing) - extra.keys()
    kept = [s for s in sentences if s.strip() and not unpronounceable.intersection(s.split())]
    if unpronounceable:
        log.warning("left out sentences with words nobody can pronounce: %s", sorted(unpronounceable))
    if not kept:
        raise AsrUnavailable("no command sentence could be pronounced; check devices.yaml names")
    vocabulary = {w for s in kept for w in s.split()}
    extra = {w: p for w, p in extra.items() if w in vocabulary}
    for word, phones in extra.items():
        log.info("no dictionary entry for %r; using espeak-ng's %s", word, phones)
    arpa = NgramLM(kept).to_arpa()
    variants = british_variants(
        sorted(vocabulary), {**dictionary, **{w: frozenset([p]) for w, p in extra.items()}}
    )
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for path, text in (
            (arpa_path, arpa),
            (meta_path, json.dumps({"sentences": kept, "pronunciations": extra, "variants": variants})),
        ):
            tmp = path.with_suffix(".tmp")
            tmp.write_text(text)
            tmp.replace(path)
    except OSError as e:  # a read-only home is no reason not to recognize speech: use a temp dir
        import tempfile

        log.warning("cannot cache the language model in %s (%s)", folder, e)
        arpa_path = Path(tempfile.mkdtemp(prefix="ambient-lm-")) / "home.arpa"
        arpa_path.write_text(arpa)
    return CompiledLM(arpa_path, kept, extra, variants)
