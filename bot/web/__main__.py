"""Start the web app (chat page, procedure pages, hotline console): `python -m bot.web` (settings from the env)."""

from bot.web.server import main

if __name__ == "__main__":
    main()
