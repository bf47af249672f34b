"""Extensions, created unbound and `init_app`ed by the factory."""
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_wtf.csrf import CSRFProtect

csrf = CSRFProtect()
babel = Babel()
migrate = Migrate()
login_manager = LoginManager()
# Counters live in the app's database unless RATELIMIT_STORAGE_URI names a store (redis://…):
# never in one process's memory, which each gunicorn worker would hold apart.
limiter = Limiter(key_func=get_remote_address, default_limits=[])
