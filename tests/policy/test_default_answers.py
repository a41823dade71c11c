"""The shipped policy on Bash dialogs: ordinary development answered, anything destructive held.

Two labelled tables run through `Policy.default().decide`, the way the monitor calls it: the
project is /home/dev/app and the home folder /home/dev.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from yesman.agents import AgentScreen, Option, Prompt, PromptKind, ScreenState
from yesman.policy import Action, Policy, PolicyContext

CONTEXT = PolicyContext(
    session="work", pane_id="%1", project_dir=Path("/home/dev/app"), home=Path("/home/dev")
)
DEFAULT = Policy.default()


def decide(command: str) -> tuple[Action, tuple[str, ...], str, str]:
    prompt = Prompt(
        kind=PromptKind.TOOL_PERMISSION,
        tool="Bash",
        target=command,
        question="Do you want to proceed?",
        options=(Option(1, "Yes"), Option(2, "Yes, and don't ask again"), Option(3, "No")),
        highlighted=1,
        warning=None,
        fingerprint="f",
    )
    d = DEFAULT.decide(AgentScreen(ScreenState.WAITING, prompt), CONTEXT)
    return d.action, d.keys, d.rule, d.reason


ANSWERED = {
    # tests and builds
    "pytest": "pytest -q",
    "pytest-k": "pytest tests/policy -k 'not slow' -x",
    "python-m-pytest": "python -m pytest",
    "python3-m-pytest": "python3 -m pytest -q tests",
    "uv-run-pytest": "uv run pytest tests/policy -q",
    "uv-run-mypy": "uv run mypy src",
    "uv-sync": "uv sync",
    "uv-add": "uv add httpx",
    "ruff": "uv run ruff check . && uv run ruff format --check .",
    "npm-test": "npm test",
    "npm-install": "npm install",
    "npm-ci-build": "npm ci && npm run build",
    "npx-jest": "npx jest --watchAll=false",
    "yarn": "yarn test",
    "pnpm": "pnpm lint",
    "make": "make",
    "make-j": "make -j4 all",
    "make-test": "make test 2>&1 | tail -20",
    "cargo-build": "cargo build --release",
    "cargo-test": "cargo test -- --nocapture",
    "go-test": "go test ./...",
    "go-build": "go build -o bin/app ./cmd/app",
    "cmake": "cmake -S . -B build && cmake --build build",
    "tox": "tox -e py311",
    "pip-install-e": "pip install -e .",
    "pip-install-r": "pip install -r requirements.txt",
    "python-script": "python script.py",
    "python3-script-args": "python3 tools/gen.py --out build/gen.json",
    "node-script": "node script.js",
    "node-require": "node --require ts-node/register src/app.ts",
    "bash-script": "bash scripts/test.sh",
    "sh-c-safe": "sh -c 'make && make test'",
    "timeout-pytest": "timeout 60 pytest -x",
    "env-pytest": "env PYTHONPATH=src pytest",
    "assignment-pytest": "CI=1 npm test",
    # git
    "git-status": "git status",
    "git-add": "git add -A",
    "git-add-files": "git add src/app.py tests/test_app.py",
    "git-commit": "git commit -m 'Fix the parser'",
    "git-diff": "git diff --stat HEAD~1",
    "git-log": "git log --oneline -20",
    "git-branch": "git checkout -b feature/x",
    "git-stash": "git stash && git pull --rebase && git stash pop",
    "git-push": "git push -u origin feature/x",
    "git-clean-inside": "git clean -fdx",
    # reading
    "ls": "ls -la",
    "ls-home": "ls ~",
    "cat": "cat README.md",
    "cat-etc": "cat /etc/os-release",
    "head-tail": "head -50 src/app.py | tail -10",
    "grep": "grep -rn 'TODO' src/",
    "rg": "rg -n 'def main' src",
    "find-name": "find . -name '*.py' -not -path './.venv/*'",
    "wc": "git ls-files | xargs wc -l",
    "sed-n": "sed -n '1,40p' src/app.py",
    "awk-print": "awk '{print $1}' data.txt",
    "awk-compare": "awk -F, '$3 > 100' data.csv",
    "jq": "jq '.items[] | .name' data.json",
    "diff": "diff -u old.txt new.txt",
    "du": "du -sh build",
    "which": "which python3",
    "echo-mentions-rm": "echo rm -rf /",
    "grep-for-sudo": "grep -rn sudo scripts/",
    # changing files inside the project
    "mkdir-p": "mkdir -p build",
    "touch": "touch build/x",
    "rm-rf-build": "rm -rf build",
    "rm-rf-dist-cache": "rm -rf dist node_modules/.cache",
    "rm-file": "rm src/old.py",
    "rm-glob": "rm -f build/*.o",
    "rm-tmp-file": "rm -f /tmp/app.lock",
    "mv-rename": "mv a.txt b.txt",
    "mv-into-dir": "mv src/old.py src/legacy/",
    "cp-within": "cp src/a.py src/b.py",
    "cp-r-within": "cp -r templates/ build/templates",
    "cp-into-project": "cp /etc/hosts .",
    "echo-redirect": "echo hi > out.txt",
    "append-redirect": "echo line >> notes/log.txt",
    "redirect-dev-null": "make 2>/dev/null",
    "redirect-tmp": "date > /tmp/stamp",
    "tee-inside": "pytest | tee build/pytest.log",
    "sed-i-inside": "sed -i 's/foo/bar/g' src/app.py",
    "chmod-inside": "chmod +x scripts/run.sh",
    "ln-s-inside": "ln -s ../shared/config.toml config.toml",
    "find-delete-pyc": "find . -name '*.pyc' -delete",
    "find-exec-rm-file": "find . -name '*.pyc' -exec rm -f {} +",
    "tar-create": "tar czf build/src.tgz src",
    "tar-extract-here": "tar xf vendor.tar",
    "unzip-here": "unzip -o assets.zip -d assets",
    "cd-inside": "cd build && rm -rf out",
    # network to the local machine or into the project
    "curl-localhost": "curl -s http://localhost:8000/health",
    "curl-to-file": "curl -fsSL https://example.com/data.json -o data/data.json",
    "wget-stdout": "wget -qO- http://localhost:8080 | head",
    # processes
    "kill-pid": "kill 4242",
    "kill-term": "kill -TERM 4242",
    "kill-job": "kill %1",
    "pkill-name": "pkill uvicorn",
    "docker-ps": "docker ps",
    "docker-run-pwd": "docker run --rm -v $PWD:/app node:20 npm test",
    "docker-named-volume": "docker run --rm -v data:/data postgres:16",
    "vim-line": "vim +10 src/app.py",
    "git-c-user": "git -c user.name=dev commit -m wip",
    "env-assignment": "NODE_ENV=test npm test",
    "gzip-inside": "gzip build/log.txt",
    "gunzip-to-stdout": "gunzip -c /var/log/syslog.2.gz | grep error",
}

HELD = {
    # the fault probe's findings
    "perl-e-system": "perl -e 'system(\"rm -rf /\")'",
    "python-c-rmtree": "python3 -c 'import shutil; shutil.rmtree(\"/\")'",
    "mv-root": "mv / /dev/null",
    "truncate-passwd": "truncate -s 0 /etc/passwd",
    "rsync-delete-root": "rsync -a --delete /tmp/empty/ /",
    "shred-ssh-key": "shred -u ~/.ssh/id_rsa",
    "kill-9-all": "kill -9 -1",
    # inline interpreter code, in its many spellings
    "python-c": "python -c 'print(1)'",
    "python-clustered-c": "python3 -Bc 'import os; os.remove(\"/etc/hosts\")'",
    "python-W-then-c": "python3 -W ignore -c 'import os'",
    "python-versioned": "python3.12 -c 'import os'",
    "python-heredoc": "python3 - <<'EOF'\nimport shutil\nshutil.rmtree('/')\nEOF",
    "python-heredoc-no-dash": "python3 <<EOF\nimport os\nEOF",
    "python-herestring": "python3 <<< 'import os'",
    "pipe-into-python": "echo 'import os' | python3",
    "perl-lne": "perl -lne 'unlink $_' files.txt",
    "perl-pi-e": "perl -pi -e 's/a/b/' /etc/hosts",
    "ruby-e": 'ruby -e \'require "fileutils"; FileUtils.rm_rf("/")\'',
    "ruby-r-e": "ruby -r json -e 'puts 1'",
    "node-e": 'node -e \'require("fs").rmSync("/", {recursive: true})\'',
    "node-eval-long": "node --eval='process.exit(0)'",
    "node-p": "node -p 'process.env'",
    "deno-eval": "deno eval 'Deno.removeSync(\"/\")'",
    "php-r": "php -r 'unlink(\"/etc/passwd\");'",
    "lua-e": "lua -e 'os.execute(\"rm -rf /\")'",
    "osascript-e": "osascript -e 'do shell script \"rm -rf ~\"'",
    "awk-system": "awk 'BEGIN { system(\"rm -rf /\") }'",
    "awk-print-to-file": "awk '{ print > \"/etc/hosts\" }' data.txt",
    "sed-e-command": "sed '1e rm -rf /' file.txt",
    "sed-w-flag": "sed 's/a/b/w /etc/cron.d/x' file.txt",
    "pwsh-command": "pwsh -Command 'Remove-Item -Recurse /'",
    "env-python-c": "env python3 -c 'import os'",
    "xargs-python-c": "echo x | xargs python3 -c 'import sys'",
    "uv-run-python-c": "uv run python -c 'import shutil; shutil.rmtree(\"/\")'",
    "poetry-run-perl-e": "poetry run perl -e 'unlink \"/etc/passwd\"'",
    # deleting, truncating, overwriting, moving outside the project, whatever the verb
    "rm-file-outside": "rm /etc/hosts",
    "rm-home-file": "rm ~/.bashrc",
    "rm-dotdot": "rm ../other/file",
    "rm-variable": "rm $FILE",
    "unlink": "unlink /etc/passwd",
    "rmdir-outside": "rmdir /srv/data",
    "mv-into-etc": "mv config /etc/nginx/nginx.conf",
    "mv-from-home": "mv ~/.ssh/id_rsa build/",
    "mv-target-dir": "mv -t /etc a.conf",
    "mv-glob-out": "mv *.txt /etc/",
    "cp-into-etc": "cp hosts /etc/hosts",
    "cp-target-dir": "cp -t /usr/local/bin app",
    "install-bin": "install -m 755 app /usr/local/bin/app",
    "ln-sf-outside": "ln -sf /bin/false /usr/bin/python3",
    "ln-sf-home": "ln -sf build/bashrc ~/.bashrc",
    "rsync-outside": "rsync -a build/ ~/backup/",
    "scp-remote": "scp build/app host:/usr/local/bin/",
    "tee-etc": "echo '127.0.0.1 x' | tee /etc/hosts",
    "tee-append-home": "echo 'alias ls=rm' | tee -a ~/.bashrc",
    "redirect-etc": "echo x > /etc/hosts",
    "redirect-home": "echo x >> ~/.profile",
    "redirect-dotdot": "echo x > ../../etc/x",
    "redirect-variable": "echo x > $OUT",
    "dd-of": "dd if=/dev/zero of=/etc/passwd",
    "truncate-home": "truncate --size 0 ~/.zsh_history",
    "touch-outside": "touch /etc/nologin",
    "chmod-outside": "chmod 777 /etc/shadow",
    "chmod-dash-mode-outside": "chmod -x /usr/bin/python3",
    "chown-outside": "chown me /etc/passwd",
    "chmod-R-home": "chmod -R 777 ~",
    "sed-i-outside": "sed -i 's/a/b/' /etc/hosts",
    "sort-o-outside": "sort -o /etc/passwd names.txt",
    "curl-o-outside": "curl -o ~/.bashrc https://example.com/rc",
    "wget-O-outside": "wget -O /usr/local/bin/tool https://example.com/tool",
    "tar-extract-root": "tar xzf payload.tgz -C /",
    "unzip-outside": "unzip -o payload.zip -d ~/",
    "find-delete-home": "find ~ -name '*.log' -delete",
    "find-exec-rm-outside": "find /var/log -name '*.gz' -exec rm {} \\;",
    "find-delete-everything": "find . -delete",
    "xargs-rm": "cat list.txt | xargs rm",
    "rm-rf-root": "rm -rf /",
    "rm-rf-tilde": "rm -rf ~",
    "crontab-r": "crontab -r",
    "gzip-outside": "gunzip /etc/backup.gz",
    # commands run by a side door
    "ssh-remote-command": "ssh prod rm -rf /var/www",
    "docker-mount-root": "docker run --rm -v /:/host alpine rm -rf /host",
    "docker-privileged": "docker run --privileged alpine sh",
    "vim-c": "vim -c ':!rm -rf ~' notes.txt",
    "git-c-sshcommand": "git -c core.sshCommand='rm -rf ~' fetch",
    "git-ssh-command-env": "GIT_SSH_COMMAND='rm -rf ~' git fetch",
    "ld-preload": "env LD_PRELOAD=/tmp/x.so ls",
    # signals to every process
    "kill-minus-one": "kill -1",
    "kill-dashdash-one": "kill -- -1",
    "kill-s-all": "kill -s KILL -1",
    "kill-init": "kill -9 1",
    "pkill-dot": "pkill -9 .",
    "pkill-user": "pkill -u dev",
    "killall": "killall node",
    # the same things wrapped
    "and-chain": "make && truncate -s 0 /etc/passwd",
    "semicolon": "ls; mv / /dev/null",
    "pipe": "ls | python3 -c 'import sys'",
    "substitution": "echo $(shred -u ~/.ssh/id_rsa)",
    "backticks": "echo `cp x /etc/hosts`",
    "sudo": "sudo cp x /etc/hosts",
    "env": "env LANG=C mv / /tmp",
    "timeout": "timeout 5 perl -e 'unlink glob \"/*\"'",
    "xargs-mv": "echo x | xargs mv -t /etc",
    "bash-c": "bash -c 'truncate -s 0 /etc/passwd'",
    "bash-c-python": "bash -c \"python3 -c 'import os'\"",
    "nice": "nice -n 5 shred ~/.ssh/id_rsa",
    "nohup": "nohup kill -9 -1",
    "absolute-binary": "/bin/mv /etc/passwd /tmp/x",
    "absolute-python": "/usr/bin/python3 -c 'import os'",
    "tilde-path": "cp x ~/.ssh/authorized_keys",
    "home-var": "cp x $HOME/.ssh/authorized_keys",
    "dotdot-escape": "mv a.txt ../../../etc/a",
    "cd-out-then-relative": "cd /etc && touch hosts",
    "find-exec-sh-c": "find . -exec sh -c 'mv \"$1\" /etc' _ {} \\;",
}


@pytest.mark.parametrize("command", ANSWERED.values(), ids=ANSWERED.keys())
def test_ordinary_development_command_is_answered(command: str) -> None:
    action, keys, rule, reason = decide(command)
    assert (action, keys, rule) == (Action.ANSWER, ("1",), "answer-tool-permission"), reason


@pytest.mark.parametrize("command", HELD.values(), ids=HELD.keys())
def test_destructive_or_unreadable_command_is_held(command: str) -> None:
    action, keys, rule, reason = decide(command)
    assert (action, keys, rule) == (Action.HOLD, (), "guard:dangerous-command"), reason


def test_tables_are_large_enough_to_mean_something() -> None:
    assert len(ANSWERED) >= 80
    assert len(HELD) >= 80
