# Concord: gunicorn serving wsgi:app. Not built in CI (no container runtime where Concord is
# developed); see docs/OPERATIONS.md.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    CONCORD_ENV=production PROXY_FIX=1 FLASK_APP=wsgi

# PostgreSQL client tools for `flask concord backup` / `restore`.
RUN apt-get update \
 && apt-get install -y --no-install-recommends postgresql-client \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --create-home --home-dir /srv/concord concord

WORKDIR /srv/concord
COPY pyproject.toml README.md ./
COPY core core
COPY voting voting
COPY surveys surveys
COPY devtools devtools
COPY migrations migrations
COPY templates templates
COPY static static
COPY wsgi.py ./
RUN pip install . && mkdir -p instance /backups && chown concord instance /backups

USER concord
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s \
  CMD python -c "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4).status != 200)"
CMD ["gunicorn", "--workers", "4", "--bind", "0.0.0.0:8000", "wsgi:app"]
