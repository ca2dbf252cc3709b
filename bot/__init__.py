"""The Telegram channel: handlers, scheduling and the command line around the channel-neutral core."""

from workflows.i18n import ACTIONS, use_action_words

# On Telegram a person does what the core calls an action with the slash command of the same name.
use_action_words({name: f"/{name}" for name in ACTIONS})
