/// The part of every setup script that defines what the steps after it call.
extension SetupTarget {
    /// The options and helpers every setup script shares.
    static let preamble = #"""
        # Prepares this host for the files beside this script; run it as root after each build.
        # It creates what is missing and corrects owners and modes; it deletes only a file an earlier
        # build installed that this one does not (still unchanged since, by its manifest).
        #   ./setup             act, printing each action
        #   ./setup --dry-run   print each action, change nothing
        #   ./setup --root DIR  act under DIR (tests, packaging); accounts are still this host's
        # Exit status: 0 done or nothing to do, 1 an account is missing or a path is taken or unsafe,
        # 2 usage.
        set -eu
        # What it creates is root's and writable by root alone, whatever the caller's umask.
        umask 022
        here=$(cd "$(dirname "$0")" && pwd -P)
        root=
        dry=
        usage() {
          echo "usage: $0 [--dry-run] [--root DIR]" >&2
          exit 2
        }
        while [ $# -gt 0 ]; do
          case $1 in
            --dry-run) dry=1 ;;
            --root)
              [ $# -ge 2 ] || usage
              root=${2%/}
              shift
              ;;
            *) usage ;;
          esac
          shift
        done
        actions=0
        problems=0
        notes=
        # Commands that bring a changed file to its running service, one a line (run_next).
        nexts=

        # act DESCRIPTION COMMAND...: prints what it does, then does it (unless --dry-run).
        act() {
          actions=$((actions + 1))
          if [ -n "$dry" ]; then
            echo "would $1"
          else
            echo "setup: $1"
            shift
            "$@"
          fi
        }

        problem() {
          problems=$((problems + 1))
          echo "setup: $1" >&2
        }

        has_user() {
          id "$1" >/dev/null 2>&1
        }

        need_user() {
          has_user "$1" ||
            problem "no account '$1'; create it (e.g. useradd --system --no-create-home --shell /usr/sbin/nologin $1)"
        }

        # The owner uid, group gid and mode string of a path, as ls -ldn shows them.
        state() {
          # shellcheck disable=SC2012 # ls -n is the portable way to read numeric owners
          ls -ldn "$1" 2>/dev/null | awk '{ print substr($1, 1, 10), $3, $4 }'
        }

        # directory PATH UID GID MODE LSMODE: a directory under the root, with that owner and mode.
        directory() {
          at_path "$root$1" "$2" "$3" "$4" "$5"
        }

        # local_directory PATH UID GID MODE LSMODE: a directory of this output.
        local_directory() {
          at_path "$here/$1" "$2" "$3" "$4" "$5"
        }

        at_path() {
          guarded "$1" "$2" || return 0
          if [ ! -d "$1" ]; then
            act "create directory $1" mkdir -p "$1"
            # Again once it exists: nobody may have put something of theirs there meanwhile.
            [ -n "$dry" ] || guarded "$1" "$2" || return 0
          fi
          if [ "$(state "$1")" != "$5 $2 $3" ]; then
            act "give $1 owner $2, group $3, mode $4" set_owner_mode "$1" "$2" "$3" "$4"
          fi
        }

        set_owner_mode() {
          chown "$2:$3" "$1"
          chmod "$4" "$1"
        }

        # private_parent DIR STORE UID GID MODE LSMODE: the store's own parent, made private. One that
        # exists is changed only when it holds nothing but the store: never a directory others share.
        private_parent() {
          target=$root$1
          if [ -d "$target" ] && [ "$(state "$target")" != "$6 $3 $4" ]; then
            for entry in "$target"/* "$target"/.[!.]* "$target"/..?*; do
              if { [ -e "$entry" ] || [ -L "$entry" ]; } && [ "${entry##*/}" != "$2" ]; then
                problem "left $target alone: it holds ${entry##*/} beside the store; \#
        give the store a directory of its own"
                return 0
              fi
            done
          fi
          at_path "$target" "$3" "$4" "$5" "$6"
        }

        # secret_directory FILE: the directory a secret goes in, root's (setup never writes the secret).
        secret_directory() {
          if [ ! -d "$(dirname "$1")" ]; then
            act "create directory $(dirname "$1") (root's, for a secret)" mkdir -p "$(dirname "$1")"
          fi
        }

        # password_file PATH UID: a password file that exists (setup never writes a secret): the one
        # account that reads it owns it, mode 400; no group, so no account sharing one reads it.
        password_file() {
          target=$root$1
          guarded "$target" "$2" || return 0
          secret_directory "$target"
          if [ ! -f "$target" ]; then
            problem "no $target: make the password once (openssl rand -hex 32 >$target), \#
        put the same file on every host that names it, then run setup again"
          elif [ "$(state "$target")" != "-r-------- $2 0" ]; then
            act "give $target owner $2, group 0, mode 400" set_owner_mode "$target" "$2" 0 400
          fi
        }

        # compile_rules DIR [CDB]: DIR/tcp.cdb, or CDB (rules-cdb) with its NAME.tmp beside it, from
        # DIR/tcp.rules when it is missing or older (in dry runs, when tcp.rules is not there yet
        # either). tcprules writes the temporary file as root: no other account may place it.
        compile_rules() {
          guarded "$1" 0 || return 0
          cdb=$1/tcp.cdb
          if [ -n "${2-}" ]; then
            cdb=$root$2
            guarded "$cdb" 0 || return 0
            guarded "${cdb%.cdb}.tmp" 0 || return 0
            # Even a sticky directory will not do: another account could place NAME.tmp after the
            # check above, and tcprules would open it as root.
            mode=$(state "$(dirname "$cdb")")
            mode=${mode%% *}
            case $mode in
              ?????w???? | ????????w?)
                problem "left $cdb alone: tcprules writes ${cdb%.cdb}.tmp beside it, in a directory others \#
        can write (mode $mode)"
                return 0
                ;;
            esac
          fi
          if [ ! -f "$1/tcp.rules" ]; then
            [ -z "$dry" ] || act "compile $cdb from tcp.rules" true
          elif [ ! -f "$cdb" ] || [ -n "$(find "$1/tcp.rules" -newer "$cdb")" ]; then
            act "compile $cdb from tcp.rules" run_tcprules "$1" "$cdb"
          fi
        }

        run_tcprules() {
          @TCPRULES@ "$2" "${2%.cdb}.tmp" <"$1/tcp.rules"
        }

        # install_file SOURCE DESTINATION MODE LSMODE [THEN [THEN-WHEN-REPLACED]]: a copy of an output
        # file in place, and what to do next.
        install_file() {
          installed="$installed
        $2"
          target=$root$2
          guarded "$target" 0 || return 0
          if ! cmp -s "$here/$1" "$target"; then
            if [ ! -d "$(dirname "$target")" ]; then
              act "create directory $(dirname "$target")" mkdir -p "$(dirname "$target")"
            fi
            next=${5-}
            # Replacing an earlier version of a running unit needs its restart, not its start.
            if [ -e "$target" ] && [ $# -ge 6 ]; then next=$6; fi
            act "install $target" copy_file "$here/$1" "$target" "$3"
            if [ -n "$next" ]; then
              case "
        $nexts
        " in *"
        $next
        "*) ;; *) nexts="$nexts
        $next" ;; esac
            fi
          elif [ "$(state "$target")" != "$4 0 0" ]; then
            act "give $target owner 0, group 0, mode $3" set_owner_mode "$target" 0 0 "$3"
          fi
        }

        # Beside the target first, then renamed over it: a reader sees the old or the new file.
        copy_file() {
          cp "$1" "$2.relaychain-new"
          chown 0:0 "$2.relaychain-new"
          chmod "$3" "$2.relaychain-new"
          mv -f "$2.relaychain-new" "$2"
        }

        # link_service DIR LINK KIND CONTROL CHECK: the supervisor's directory gets a link to the
        # service. A service reads its run scripts only when it starts, so a rebuild reaches a
        # running one only through a restart: setup keeps what it last started it with in
        # DIR/.relaychain-started, and restarts it (svc -t, or sv restart) when that differs.
        link_service() {
          link=$root$2
          now=$(cat "$here/$1/run" "$here/$1/log/run" 2>/dev/null | cksum)
          stamp=$here/$1/.relaychain-started
          if [ -L "$link" ] && [ "$(readlink "$link")" = "$here/$1" ]; then
            was=$(cat "$stamp" 2>/dev/null || true)
            [ "$was" != "$now" ] || return 0
            if supervised "$link" "$3" "$5"; then
              if [ -n "$was" ]; then
                act "restart $link: its run scripts changed since setup started it" restart "$link" "$3" "$4"
              else
                act "restart $link: setup has no record of the run scripts it runs" restart "$link" "$3" "$4"
              fi
            fi
            [ -n "$dry" ] || printf '%s\n' "$now" >"$stamp"
            return 0
          fi
          if [ -e "$link" ] || [ -L "$link" ]; then
            problem "$link exists and is not a link to $here/$1; left as it is"
            return 0
          fi
          guarded "$(dirname "$link")" 0 || return 0
          if [ ! -d "$(dirname "$link")" ]; then
            act "create directory $(dirname "$link")" mkdir -p "$(dirname "$link")"
          fi
          act "link $link to $here/$1 (the supervisor starts it)" ln -s "$here/$1" "$link"
          [ -n "$dry" ] || printf '%s\n' "$now" >"$stamp"
        }

        # supervised LINK KIND CHECK: a supervisor runs the service (svok; sv status).
        supervised() {
          case $2 in
            daemontools) "$3" "$1" 2>/dev/null ;;
            *) "$3" status "$1" >/dev/null 2>&1 ;;
          esac
        }

        # restart LINK KIND CONTROL: the service and its log service, with their new run scripts.
        restart() {
          case $2 in
            daemontools) "$3" -t "$1" "$1/log" || problem "$3 -t $1 $1/log failed; restart it by hand" ;;
            *) "$3" restart "$1" "$1/log" >/dev/null || problem "$3 restart $1 failed; restart it by hand" ;;
          esac
        }

        by_hand() {
          notes="$notes
        by hand: $1"
        }

        # run_next: what a changed file needs to reach the running service, once each: Dovecot reads
        # its configuration again (doveadm reload), systemd its units (daemon-reload, then enable
        # --now or restart). Run here when this is the live system (no --root) and it runs that
        # service manager; otherwise printed as a next step.
        run_next() {
          while read -r step; do
            [ -n "$step" ] || continue
            live=
            if [ -z "$root" ]; then
              case $step in
                doveadm\ *) command -v doveadm >/dev/null 2>&1 && live=1 ;;
                systemctl\ *) [ -d /run/systemd/system ] && live=1 ;;
              esac
            fi
            if [ -z "$live" ]; then
              notes="$notes
        then: $step"
            elif [ -n "$dry" ]; then
              actions=$((actions + 1))
              echo "would run $step"
            elif said=$(sh -c "$step" 2>&1 </dev/null); then
              actions=$((actions + 1))
              echo "setup: ran $step"
            else
              case $step in
                doveadm\ *) notes="$notes
        then: $step (here it said: ${said%%
        *}; a Dovecot that is not running reads the file when it starts)" ;;
                *) problem "$step failed: ${said%%
        *}" ;;
              esac
            fi
          done <<EOF
        $nexts
        EOF
        }

        finish() {
          take_back
          run_next
          if [ -n "$notes" ]; then
            echo "setup: still to do:$notes"
          fi
          if [ "$actions" -eq 0 ]; then
            echo "setup: nothing to do"
          elif [ -n "$dry" ]; then
            echo "setup: $actions actions (dry run: nothing changed)"
          else
            echo "setup: $actions actions done"
          fi
          [ "$problems" -eq 0 ] || exit 1
        }

        """#
}
