# NVOS Kodning under gunicorn with WhiteNoise serving the static files.
FROM python:3.12-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app

COPY pyproject.toml README.md manage.py ./
COPY nvos ./nvos
COPY transcripts ./transcripts
COPY coding ./coding
COPY templates ./templates
COPY static ./static
COPY locale ./locale
# Editable install: the code stays in /app, where settings find templates, static and locale.
RUN pip install -e .
# collectstatic needs settings, not secrets: a throwaway key for this build step only.
RUN DEBUG=0 SECRET_KEY=build-only-not-secret DATABASE_URL=sqlite:////tmp/build.sqlite3 \
    python manage.py collectstatic --no-input

RUN useradd --system --uid 10001 nvos
USER nvos
EXPOSE 8000
# Migrations run on every start; they are idempotent and run before gunicorn accepts requests.
CMD ["sh", "-c", "python manage.py migrate --no-input && exec gunicorn nvos.wsgi:application --bind 0.0.0.0:8000 --workers ${GUNICORN_WORKERS:-3} --worker-class gthread --threads ${GUNICORN_THREADS:-4} --timeout 120 --access-logfile - --forwarded-allow-ips='*'"]
