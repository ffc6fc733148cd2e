# Bash completion for artistfetch(1).
#
# `make install` puts this file in share/bash-completion/completions/artistfetch, where bash-completion loads it
# on first use; without bash-completion, source it from ~/.bashrc. It completes option names, the fixed values
# of --format, --match, --color= and --stats=, file names after --input, --cacert and --timeline-svg, and
# directories after --cache-dir. Artist names are never completed.
#
# The option lists below are static so that completion is instant; tests/test_install.cpp checks them against
# `artistfetch --help` in both directions, so an option added to the program must be added here too.

_artistfetch() {
  # Every option of `artistfetch --help`.
  local options="--input --base-url --entity --limit --sort --country --sync --compare --concurrency
    --threads --timeout --connect-timeout --stall-timeout --cacert --retries --retry-on --backoff-base --backoff-cap
    --max-retry-after --rate --max-body --format --match --stream --cache-dir --cache-ttl --color --progress
    --no-progress --quiet -q --stats --timeline --timeline-svg --help -h --version -V"
  # The options among them that take a value (`--opt VALUE` or `--opt=VALUE`).
  local with_value="--input --base-url --entity --limit --sort --country --concurrency --threads --timeout
    --connect-timeout --stall-timeout --cacert --retries --retry-on --backoff-base --backoff-cap
    --max-retry-after --rate --max-body --format --match --cache-dir --cache-ttl --timeline-svg"
  # The options whose value is optional and can only be attached: `--color`, `--color=never`.
  local with_optional_value="--color --stats"

  local cur=${COMP_WORDS[COMP_CWORD]} prev='' attached=0 i
  ((COMP_CWORD > 0)) && prev=${COMP_WORDS[COMP_CWORD - 1]}
  # With '=' in COMP_WORDBREAKS (the default), `--format=js` arrives as the words `--format`, `=`, `js`.
  if [[ $cur == "=" && $prev == --* ]]; then
    cur=
    attached=1
  elif [[ $prev == "=" ]] && ((COMP_CWORD > 1)); then
    prev=${COMP_WORDS[COMP_CWORD - 2]}
    attached=1
  elif [[ $cur == --*=* ]]; then
    # COMP_WORDBREAKS without '=': the option and its value are one word.
    prev=${cur%%=*}
    cur=${cur#*=}
    attached=1
  fi
  COMPREPLY=()

  # After `--`, every word is an artist name.
  for ((i = 1; i < COMP_CWORD; i++)); do
    [[ ${COMP_WORDS[i]} == "--" ]] && return 0
  done

  # `--color never` makes "never" an artist name: an optional value only ever comes attached.
  if ((!attached)) && [[ " $with_optional_value " == *" $prev "* ]]; then
    prev=''
  fi

  case $prev in
    --format)
      mapfile -t COMPREPLY < <(compgen -W "ndjson json table" -- "$cur")
      return 0
      ;;
    --match)
      mapfile -t COMPREPLY < <(compgen -W "exact nocase" -- "$cur")
      return 0
      ;;
    --color)
      mapfile -t COMPREPLY < <(compgen -W "auto always never" -- "$cur")
      return 0
      ;;
    --stats)
      mapfile -t COMPREPLY < <(compgen -W "text json" -- "$cur")
      return 0
      ;;
    --input | --cacert | --timeline-svg)
      if declare -F _filedir >/dev/null; then
        _filedir
      else
        compopt -o filenames 2>/dev/null
        mapfile -t COMPREPLY < <(compgen -f -- "$cur")
      fi
      return 0
      ;;
    --cache-dir)
      if declare -F _filedir >/dev/null; then
        _filedir -d
      else
        compopt -o filenames 2>/dev/null
        mapfile -t COMPREPLY < <(compgen -d -- "$cur")
      fi
      return 0
      ;;
  esac
  # Any other option that takes a value: a number, a URL, a list... nothing sensible to offer.
  if [[ $prev == -* && " ${with_value//$'\n'/ } " == *" $prev "* ]]; then
    return 0
  fi

  if [[ $cur == -* ]]; then
    mapfile -t COMPREPLY < <(compgen -W "$options" -- "$cur")
  fi
  return 0
}

complete -F _artistfetch artistfetch
