"""Access: roles and permissions, users and sign-in, the audit log, and the deployment check.

Every write path asks `roles.require` first. It must not know about any feature's data beyond
the users and audit tables. Domain package: no Streamlit.
"""
