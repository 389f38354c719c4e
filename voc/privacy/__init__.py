"""Privacy controls (docs/privacy.md): retention per source, erasure on request, hidden handles.

- `settings`: the workspace's privacy settings (retention days per source, whether viewers see
  author handles), kept in `app_settings`; `policy` changes them (only with
  `Permission.MANAGE_PRIVACY`) and queues exports for regeneration;
- `masking`: the one place that decides what author a reader is shown;
- `purge`: deletes a batch of items and everything derived from them in one transaction, the
  single code path behind both retention and erasure;
- `retention`: the sweep (listener process and `python -m voc privacy sweep`);
- `erasure`: one author's or respondent's data, previewed first, then erased;
- `exports`: export folders holding deleted items are queued and regenerated without them.

It must not know the UI. The package imports nothing itself (import the module you need), so
`voc.exports` can read `settings` while `exports` here regenerates exports, without a cycle.
Domain: no Streamlit.
"""
