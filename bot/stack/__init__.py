"""Starting and stopping the whole assistant: reference services, action server, Rasa server, channels."""
