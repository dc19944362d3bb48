"""Shared test setup. Kept free of app-env imports: the Rasa env's tests load it too."""
