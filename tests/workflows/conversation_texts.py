"""What the department conversation asks in the example report, shared by the conversation's tests."""

EXPIRED_ZH = "这个按钮已过期。"
RULES_PROMPT = (
    "【二、主动公开政府信息情况】第 1/6 项\n"
    "规章\n"
    "请按顺序输入 3 个数，用空格分隔：本年制发件数、本年废止件数、现行有效件数（单位：件）"
)
NORMATIVE_PROMPT = (
    "【二、主动公开政府信息情况】第 2/6 项\n"
    "行政规范性文件\n"
    "请按顺序输入 3 个数，用空格分隔：本年制发件数、本年废止件数、现行有效件数（单位：件）"
)
LICENSING_PROMPT = "【二、主动公开政府信息情况】第 3/6 项\n请填写：行政许可 · 本年处理决定数量（单位：件）"
RULES = ("t2.rules.issued", "t2.rules.repealed", "t2.rules.in_force")
NORMATIVE = ("t2.normative.issued", "t2.normative.repealed", "t2.normative.in_force")
APPEALS_ROW = "1 0 0 1 0 0 0 1 0 0 0 0"


def position(world, user_id):
    """The stored position of one person in the scenario's cycle."""
    return world.store.get_conversation(world.cycle.id, user_id)
