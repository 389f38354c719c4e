"""The demo feed's content: the hand-written scenario (scenario.jsonl) and the generator that keeps it alive."""
