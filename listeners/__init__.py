"""Source adapters and the runner process (`python -m listeners`). No Streamlit import here."""
