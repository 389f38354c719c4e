"""Replies from the app: composing, guarding, sending through each network's own API, and the
record that makes a reply a fact (first response at the network's time).

Owns reply drafts (stored before anything is sent, with an idempotency key), saved replies, the
payment-data guard, per-network limits and the optional translation. It must not know how items
arrive (the listeners) nor how the queue is ordered (`voc.inbox.queue`); it reads the item and its
source. Domain package: no Streamlit, and no import of `listeners` (the listeners depend on `voc`).
"""
