"""The Jinja environment every document is rendered with.

One loader searches the user's `--templates DIR` first, then the packaged templates, so a
user overrides one clause or the page layout without copying the library (mkdocs' theme
overrides). Templates are treated as code a user may supply: they run in Jinja's sandbox,
undefined names are errors, and the context holds data only (no clock, no randomness).

Limits, because a template is code: only plain files inside the template directories are
loaded (no symbolic links, nothing that resolves outside, no FIFOs or devices); rendering
stops with a RenderError after `RENDER_SECONDS` or `MAX_OUTPUT_CHARS` characters; string
repetition, concatenation, `**`, `%`-formats, `str.format` widths and huge counts passed to
functions and filters are refused before they allocate.

Data is never markup: in the Markdown-subset clause templates (`*.md.j2`), every string a
template reads from the data (an attribute or item of the policy, evaluation...) is
escaped by `slagen.render.document.escape_data`, so a newline, `# `, `- `, `|` or `**` in a
policy's text cannot start a block, a heading, a table cell or bold text.
"""

from __future__ import annotations

import functools
import os
import re
import stat
import time
from pathlib import Path

import jinja2
import jinja2.bccache
from jinja2.compiler import CodeGenerator
from jinja2.sandbox import ImmutableSandboxedEnvironment
from markupsafe import Markup

import slagen
from slagen.errors import RenderError, UsageError

RENDER_SECONDS = 60.0  # per template render; SLAGEN_RENDER_SECONDS overrides
MAX_OUTPUT_CHARS = 32 * 1024 * 1024  # what one template may write
MAX_COUNT = 1_000_000  # the largest number a template may pass to a function or filter
MAX_TEMPLATE_BYTES = 4 * 1024 * 1024
_BIG_FORMAT = re.compile(r"\d{7,}|%[-#0 +]*\*|\{[^{}]*:[^{}]*\{")  # widths of 7+ digits, '*' widths, nested format specs


class TemplateLimit(Exception):
    """A template went over a limit (time, output size, a huge number or string)."""


def packaged_templates() -> Path:
    """`slagen/_templates` in an installed wheel, `templates/` in a source checkout."""
    here = Path(slagen.__file__).resolve().parent
    for candidate in (here / "_templates", here.parent / "templates"):
        if candidate.is_dir():
            return candidate
    raise RenderError("slagen's packaged templates are missing; reinstall slagen")


def search_path(user_dir: Path | None) -> list[Path]:
    """Template directories in lookup order: the user's first."""
    dirs = [packaged_templates()]
    if user_dir is not None:
        if not user_dir.is_dir():
            raise UsageError(f"--templates {user_dir}: not a directory")
        dirs.insert(0, user_dir.resolve())
    return dirs


def find_template_file(dirs: list[Path], name: str) -> Path | None:
    """The first `dirs[i]/name` that exists, as a plain file reached without any symbolic
    link and inside its directory; None when no directory has it. A link, a FIFO or device,
    or `..` in the name is an error, never followed."""
    pieces = jinja2.loaders.split_template_path(name)  # '..' is TemplateNotFound, never followed
    for root in dirs:
        path = Path(root)
        try:
            for piece in pieces:
                path = path / piece
                info = os.lstat(path)
                if stat.S_ISLNK(info.st_mode):
                    raise RenderError(f"{path}: is a symbolic link; templates must be plain files inside the template directory")
        except (FileNotFoundError, NotADirectoryError):
            continue
        except OSError as exc:
            raise RenderError(f"{path}: cannot read ({exc.strerror})") from None
        if stat.S_ISDIR(info.st_mode):
            continue
        if not stat.S_ISREG(info.st_mode):
            raise RenderError(f"{path}: not a regular file; templates must be plain files inside the template directory")
        if not path.resolve().is_relative_to(Path(root).resolve()):
            raise RenderError(f"{path}: resolves outside the template directory {root}")
        return path
    return None


def read_template_file(path: Path) -> bytes:
    from slagen.files import read_input

    try:
        return read_input(path, "a template file", MAX_TEMPLATE_BYTES)
    except UsageError as exc:
        raise RenderError(str(exc)) from None


class SafeLoader(jinja2.BaseLoader):
    """FileSystemLoader's lookup order, through `find_template_file`."""

    def __init__(self, searchpath: list[Path]):
        self.searchpath = [str(p) for p in searchpath]
        self.dirs = list(searchpath)

    def get_source(self, environment, template):
        path = find_template_file(self.dirs, template)
        if path is None:
            raise jinja2.TemplateNotFound(template)
        try:
            source = read_template_file(path).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise RenderError(f"{path}: not UTF-8 text (byte {exc.start})") from None
        return source, str(path), lambda: True


class _LimitedCodeGenerator(CodeGenerator):
    """`a ~ b` goes through `environment.checked_join`, so concatenation is size-checked."""

    def visit_Concat(self, node, frame):
        self.write("environment.checked_join(")
        super().visit_Concat(node, frame)
        self.write(")")


def layered_mapping(relative: str, user_dir: Path | None, what: str) -> dict[str, str] | None:
    """A YAML mapping of name: text (report labels, message catalogues) merged over the
    template directories: packaged first, the user's on top, so a house file overrides single
    entries. Same rules as templates: plain files inside the directories only. None if no
    directory has it."""
    from slagen.errors import PolicyErrors
    from slagen.policy.yamlsrc import load_yaml

    merged = None
    for directory in reversed(search_path(user_dir)):
        path = find_template_file([directory], relative)
        if path is None:
            continue
        try:
            data = load_yaml(read_template_file(path), str(path)).data
        except PolicyErrors as exc:
            raise RenderError(str(exc.problems[0])) from None
        if not isinstance(data, dict):
            raise RenderError(f"{path}: {what} must be a YAML mapping of name: text")
        merged = {**(merged or {}), **{str(k): "" if v is None else str(v) for k, v in data.items()}}
    return merged


def layered_text(dirs: list[Path], relative: str) -> Markup:
    """A stylesheet from every template directory that has it, packaged first and the user's
    after, so a house `page.css` adds rules that override the packaged ones instead of
    replacing the whole sheet. Same rules as templates: plain files inside the directories."""
    parts = []
    for directory in reversed(dirs):
        path = find_template_file([directory], relative)
        if path is None:
            continue
        try:
            parts.append(f"/* {relative} from {'the packaged templates' if directory == dirs[-1] else 'your --templates directory'} */\n" + read_template_file(path).decode("utf-8"))
        except UnicodeDecodeError as exc:
            raise RenderError(f"{path}: not UTF-8 text (byte {exc.start})") from None
    if not parts:
        raise RenderError(f"stylesheet {relative} not found in {', '.join(str(d) for d in dirs)}")
    return Markup("\n".join(parts))


def _check_args(args, kwargs) -> None:
    for value in (*args, *kwargs.values()):
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_COUNT:
            raise TemplateLimit(f"the number {value if value.bit_length() < 64 else 'passed'} is larger than the {MAX_COUNT:,} a template may use")


def _check_format(text) -> None:
    if isinstance(text, str) and _BIG_FORMAT.search(text):
        raise TemplateLimit("a format with a huge or computed width is not allowed in templates")


def _size(value) -> int:
    return len(value) if isinstance(value, (str, bytes, list, tuple)) else 0


class SlagenSandbox(ImmutableSandboxedEnvironment):
    code_generator_class = _LimitedCodeGenerator
    intercepted_binops = frozenset({"*", "**", "%", "+"})
    deadline: float | None = None
    data_escape = None  # escape_data while a Markdown-subset template renders

    def tick(self) -> None:
        if self.deadline is not None and time.monotonic() > self.deadline:
            raise TemplateLimit(f"rendering took longer than {_seconds():g} s")

    def checked_join(self, value):
        self.tick()
        if _size(value) > MAX_OUTPUT_CHARS:
            raise TemplateLimit(f"a string of more than {MAX_OUTPUT_CHARS:,} characters")
        return value

    def call_binop(self, context, operator, left, right):
        self.tick()
        if operator == "*":
            for seq, n in ((left, right), (right, left)):
                if _size(seq) and isinstance(n, int) and _size(seq) * n > MAX_OUTPUT_CHARS:
                    raise TemplateLimit(f"repeating a value {n:,} times is more than a template may write")
            if isinstance(left, int) and isinstance(right, int) and left.bit_length() + right.bit_length() > 4096:
                raise TemplateLimit("a number too large for a template")
        elif operator == "**":
            if isinstance(left, int) and isinstance(right, int) and abs(left) > 1 and right * left.bit_length() > 4096:
                raise TemplateLimit("a number too large for a template")
        elif operator == "%":
            _check_format(left)
        elif operator == "+":
            if _size(left) + _size(right) > MAX_OUTPUT_CHARS:
                raise TemplateLimit(f"a string of more than {MAX_OUTPUT_CHARS:,} characters")
        return super().call_binop(context, operator, left, right)

    def call(__self, __context, __obj, *args, **kwargs):  # noqa: N805 (Jinja's signature)
        __self.tick()
        is_format = getattr(__obj, "__name__", None) in ("format", "format_map")  # arguments are data; widths checked on access
        if not is_format and not str(getattr(__obj, "__module__", None) or "").startswith("slagen."):  # slagen's helpers take real figures
            _check_args(args, kwargs)
        if getattr(__obj, "__name__", None) in ("format", "format_map") and isinstance(getattr(__obj, "__self__", None), str):
            _check_format(__obj.__self__)
        result = super().call(__context, __obj, *args, **kwargs)
        if _size(result) > MAX_OUTPUT_CHARS:
            raise TemplateLimit(f"a value of more than {MAX_OUTPUT_CHARS:,} characters")
        return result

    def _data(self, value):
        if self.data_escape is None or isinstance(value, Markup):
            return value
        if isinstance(value, str):
            return self.data_escape(value)
        if type(value) in (list, tuple) and any(isinstance(v, str) for v in value):
            return type(value)(self.data_escape(v) if isinstance(v, str) and not isinstance(v, Markup) else v for v in value)
        return value

    def getattr(self, obj, attribute):
        self.tick()
        if isinstance(obj, str) and attribute in ("format", "format_map"):
            _check_format(obj)
        return self._data(super().getattr(obj, attribute))

    def getitem(self, obj, argument):
        self.tick()
        if isinstance(obj, str) and argument in ("format", "format_map"):
            _check_format(obj)
        return self._data(super().getitem(obj, argument))


def _limited_filter(env: SlagenSandbox, name: str, func):
    skip = 2 if getattr(func, "jinja_pass_arg", None) is not None else 1  # (context/env,) value: data, not a count

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        env.tick()
        if name == "format":  # the arguments are data; the format's widths are what is checked
            for value in args:
                _check_format(value)
        else:
            _check_args(args[skip:], kwargs)
        result = func(*args, **kwargs)
        if _size(result) > MAX_OUTPUT_CHARS:
            raise TemplateLimit(f"filter {name} made more than {MAX_OUTPUT_CHARS:,} characters")
        return result

    return wrapper


class _CompiledTemplates(jinja2.BytecodeCache):
    """Compiled templates kept for the life of the process, shared by every environment.

    Each document makes its own environment (its own search path and filters), and
    compiling the clause templates took a third of a Word render. A template is keyed by
    name and file and checked against its source's checksum, so an edited user template is
    compiled afresh; the limits are compiled into the code and hold for cached code too."""

    def __init__(self) -> None:
        self._store: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        data = self._store.get(bucket.key)
        if data is not None:
            bucket.bytecode_from_string(data)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        if len(self._store) < 512:  # a bound, whatever a long-running caller renders
            self._store[bucket.key] = bucket.bytecode_to_string()


_COMPILED = _CompiledTemplates()


def environment(user_dir: Path | None = None) -> jinja2.Environment:
    env = SlagenSandbox(
        bytecode_cache=_COMPILED,
        loader=SafeLoader(search_path(user_dir)),
        undefined=jinja2.StrictUndefined,
        autoescape=jinja2.select_autoescape(["html", "html.j2", "svg.j2"], default_for_string=False, default=False),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters = {name: _limited_filter(env, name, func) for name, func in env.filters.items()}
    dirs = search_path(user_dir)
    env.globals["stylesheet"] = lambda relative: layered_text(dirs, str(relative))
    return env


def _seconds() -> float:
    try:
        return max(float(os.environ.get("SLAGEN_RENDER_SECONDS", RENDER_SECONDS)), 0.01)
    except ValueError:
        return RENDER_SECONDS


def render(env: jinja2.Environment, name: str, context: dict) -> str:
    """Render one template within the limits; Jinja's errors become a RenderError naming
    template and line."""
    from slagen.render.document import escape_data

    outer = getattr(env, "deadline", None)
    outer_escape = getattr(env, "data_escape", None)
    try:
        if isinstance(env, SlagenSandbox):
            env.data_escape = escape_data if name.endswith(".md.j2") else None
            if outer is None:
                env.deadline = time.monotonic() + _seconds()
        with _alarm(outer is None):
            return _generate(env, name, context)
    except jinja2.TemplateNotFound as exc:
        raise RenderError(f"template {exc.name} not found in {', '.join(str(p) for p in env.loader.searchpath)}") from None  # type: ignore[union-attr]
    except jinja2.TemplateSyntaxError as exc:
        raise RenderError(f"{exc.filename or exc.name}:{exc.lineno}: template syntax error: {exc.message}") from None
    except TemplateLimit as exc:
        raise RenderError(f"{name}{_line(exc)}: rendering stopped: {exc}") from None
    except jinja2.exceptions.SecurityError as exc:
        raise RenderError(f"{name}{_line(exc)}: the template tried something templates may not do: {exc}") from None
    except jinja2.UndefinedError as exc:
        raise RenderError(f"{name}{_line(exc)}: {exc.message}") from None
    except RenderError:
        raise
    except (MemoryError, RecursionError) as exc:
        raise RenderError(f"{name}{_line(exc)}: rendering stopped: {type(exc).__name__} (the template does too much)") from None
    except Exception as exc:  # a user template can raise anything; name it, do not crash
        raise RenderError(f"{name}{_line(exc)}: {type(exc).__name__}: {exc}") from None
    finally:
        if isinstance(env, SlagenSandbox):
            env.deadline = outer
            env.data_escape = outer_escape


def _generate(env: jinja2.Environment, name: str, context: dict) -> str:
    template = env.get_template(name)
    chunks, total = [], 0
    for chunk in template.generate(context):
        total += len(chunk)
        if total > MAX_OUTPUT_CHARS:
            raise TemplateLimit(f"the output is larger than {MAX_OUTPUT_CHARS:,} characters")
        if isinstance(env, SlagenSandbox):
            env.tick()
        chunks.append(chunk)
    return "".join(chunks)


class _alarm:
    """SIGALRM after the time budget, for loops that call nothing (main thread, POSIX)."""

    def __init__(self, active: bool):
        import signal
        import threading

        self.active = active and hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
        self.previous = None

    def __enter__(self):
        if self.active:
            import signal

            def fire(signum, frame):
                raise TemplateLimit(f"rendering took longer than {_seconds():g} s")

            self.previous = signal.signal(signal.SIGALRM, fire)
            signal.setitimer(signal.ITIMER_REAL, _seconds(), 0.5)  # again every 0.5 s, in case one is swallowed
        return self

    def __exit__(self, *exc):
        if self.active:
            import signal

            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, self.previous)
        return False


def _line(exc: BaseException) -> str:
    """The template line of an error raised while rendering, from Jinja's rewritten traceback."""
    tb = exc.__traceback__
    line = None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename.endswith(".j2"):
            line = tb.tb_lineno
        tb = tb.tb_next
    return f":{line}" if line else ""
