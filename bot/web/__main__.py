"""Start the web chat page server: `python -m bot.web` (settings from environment variables)."""

from bot.web.server import main

if __name__ == "__main__":
    main()
