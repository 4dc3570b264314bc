"""The sandbox as a web page: member phones and the staff room side by side, live, on 127.0.0.1.

`Sandbox` (world.py) runs the fake Telegram, the real bot and the people; `create_web_app`/`serve`
(app.py) put a page and a JSON API in front of it; views.py decides what each person may see;
render.py draws Telegram formatting safely.
"""

from .app import create_web_app, serve
from .world import Phone, Sandbox, Seeder, StaffPerson

__all__ = ["Phone", "Sandbox", "Seeder", "StaffPerson", "create_web_app", "serve"]
