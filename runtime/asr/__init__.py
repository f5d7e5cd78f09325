"""Speech recognition: one streaming protocol (`AsrEngine`), pocketsphinx and Vosk behind it."""

from __future__ import annotations

from runtime.asr.base import AsrEngine, AsrUnavailable, transcribe
from runtime.config import Config

__all__ = ["AsrEngine", "AsrUnavailable", "create_engine", "transcribe"]


def create_engine(config: Config) -> AsrEngine:
    """The engine devices.yaml asks for (`asr.engine`), loaded once."""
    if config.asr.engine == "vosk":
        from runtime.asr.grammar import nlu_sentences, sample
        from runtime.asr.vosk_engine import INSTALL_HINT, VoskEngine

        if not config.asr.vosk_model:
            raise AsrUnavailable(f"asr.engine is vosk but asr.vosk_model is not set; {INSTALL_HINT}")
        model_dir = config.resolve_path(config.asr.vosk_model)
        if not model_dir.is_dir():
            raise AsrUnavailable(f"Vosk model directory {model_dir} does not exist; {INSTALL_HINT}")
        # the phrase list is the home's command language: sampled template sentences + the NLU's
        phrases = sorted({*sample(config, 500), *nlu_sentences(config)})
        return VoskEngine(model_dir, phrases=phrases)
    from runtime.asr.sphinx import PocketsphinxEngine

    return PocketsphinxEngine(config)
