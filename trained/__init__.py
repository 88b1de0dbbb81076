"""The shipped model (``model.joblib``) and its card (``model.json``); see the README."""
