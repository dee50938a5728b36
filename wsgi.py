"""Entry point for gunicorn (`gunicorn wsgi:app`) and the flask CLI (`flask --app wsgi ...`)."""
from config import config_from_env
from forum import create_app

app = create_app(config_from_env())
