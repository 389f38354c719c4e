"""The database core: engine, transactions, the two dialect-specific statements and JSON columns
(`core`), the schema and its migrations, workspace settings and jobs, and the `Store` facade
(`facade`) that composes every feature's repository.

It must not know any feature's rules; features' repositories live with their features. The
package itself imports nothing, so a feature's repository can import `voc.store.core` without
pulling in the facade that imports it. Domain: no Streamlit.
"""
