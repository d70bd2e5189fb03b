/// The shell functions that read a Redis password file as the tools do (its first line, no line
/// end, at most 1024 bytes) and hash it for an ACL user line: one text for setup and for the
/// copies' run scripts, so that both hash a file alike.
enum RedisPasswordShell {
    static let functions = #"""
        # redis_password FILE: the password as the tools read it; redis_hash FILE: its SHA-256.
        redis_password() {
          line=$(head -n 1 "$1") || return 1
          line=${line%"$(printf '\r')"}
          [ -n "$line" ] && [ "${#line}" -le 1024 ] && printf '%s' "$line"
        }
        redis_hash() {
          line=$(redis_password "$1") || return 1
          if command -v sha256sum >/dev/null 2>&1; then
            printf '%s' "$line" | sha256sum | cut -c1-64
          elif command -v sha256 >/dev/null 2>&1; then
            printf '%s' "$line" | sha256 -q
          else
            printf '%s' "$line" | openssl dgst -sha256 -r | cut -c1-64
          fi
        }

        """#
}
