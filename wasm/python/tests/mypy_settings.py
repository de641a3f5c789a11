"""The settings django-stubs' mypy plugin reads when the package is type-checked."""

SECRET_KEY = "mypy"
USE_TZ = True
INSTALLED_APPS = ["django.contrib.contenttypes", "django.contrib.auth", "rest_framework", "permc.django"]
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}
