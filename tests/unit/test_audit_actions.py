"""Every action key the code writes to the audit log has a label (so staff never read a raw, untranslated key).

The keys are read from the source: each `log_action(...)` call's action argument must be a string, a choice
between strings, or a local variable or parameter that only ever holds such strings.
"""
import ast
from pathlib import Path

from forum.services.audit_log import ACTION_LABELS

PACKAGE = Path(__file__).resolve().parents[2] / "forum"


def _parents(tree: ast.AST) -> dict:
    return {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}


def _function_of(node, parents):
    while node is not None and not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        node = parents.get(node)
    return node


def _argument(call: ast.Call, position: int, name: str):
    for keyword in call.keywords:
        if keyword.arg == name:
            return keyword.value
    return call.args[position] if len(call.args) > position else None


def _called(call: ast.Call) -> str | None:
    return call.func.id if isinstance(call.func, ast.Name) else getattr(call.func, "attr", None)


def _keys(expr, tree, parents, where: str) -> set[str]:
    """The strings `expr` can hold; fails the test for anything it cannot follow."""
    if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
        return {expr.value}
    if isinstance(expr, ast.IfExp):
        return _keys(expr.body, tree, parents, where) | _keys(expr.orelse, tree, parents, where)
    function = _function_of(expr, parents)
    if isinstance(expr, ast.Name) and function is not None:
        parameters = [arg.arg for arg in function.args.args]
        if expr.id in parameters:  # a parameter: what every caller in the module passes
            position = parameters.index(expr.id)
            calls = [node for node in ast.walk(tree) if isinstance(node, ast.Call) and _called(node) == function.name]
            assert calls, f"{where}: no caller passes {function.name}({expr.id})"
            return set().union(*(_keys(_argument(call, position, expr.id), tree, parents, where) for call in calls))
        values = [node.value for node in ast.walk(function) if isinstance(node, ast.Assign)
                  and any(isinstance(target, ast.Name) and target.id == expr.id for target in node.targets)]
        assert values, f"{where}: cannot tell what {expr.id} holds"
        return set().union(*(_keys(value, tree, parents, where) for value in values))
    raise AssertionError(f"{where}: write the audit action as a plain string, not {ast.dump(expr)[:80]}")


def logged_actions() -> dict[str, str]:
    """Every action key in the package, with where it is logged."""
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        parents = _parents(tree)
        for call in ast.walk(tree):
            if isinstance(call, ast.Call) and _called(call) == "log_action":
                where = f"{path.relative_to(PACKAGE.parent)}:{call.lineno}"
                for key in _keys(_argument(call, 1, "action"), tree, parents, where):
                    found.setdefault(key, where)
    return found


def test_every_logged_action_has_a_label():
    actions = logged_actions()
    assert {"faq.category.create", "suggested_edit.reject", "post.undelete", "webhook.disable"} <= set(actions)
    missing = {key: where for key, where in actions.items() if key not in ACTION_LABELS}
    assert not missing, f"add these to ACTION_LABELS in forum/services/audit_log.py: {missing}"


def test_no_label_is_left_without_an_action():
    assert set(ACTION_LABELS) <= set(logged_actions())
