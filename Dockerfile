# One replica of initlab, started as the README starts it. It serves any container host as is, and Hugging Face
# Spaces with the header deploy/README.md gives (`sdk: docker`, `app_port: 8501`); deploy/ runs several behind a
# balancer.
FROM python:3.12-slim

ENV PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1

# A user of its own (uid 1000, the one Hugging Face Spaces runs containers as), owner of the app's files.
RUN useradd --create-home --uid 1000 app
WORKDIR /home/app/initlab

# The runtime requirements first, so that a change to the code reuses this layer.
COPY requirements.txt .
RUN pip install -r requirements.txt

COPY --chown=app:app . .
USER app

EXPOSE 8501
# The slim image has no curl: Python asks the health endpoint, and a refused or failed request exits non-zero.
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8501/_stcore/health', timeout=2)"]
CMD ["streamlit", "run", "app.py", "--server.address", "0.0.0.0", "--server.port", "8501"]
