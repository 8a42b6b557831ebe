#!/usr/bin/env bash
# The demo workflow's command: "renders" a card in a few steps, reporting progress the way the exec runtime
# reads it (CYBERUN_PROGRESS <fraction> <step>/<total> <message>), and leaves two outputs.
set -euo pipefail
prompt=${CYBERUN_PARAM_PROMPT:?the prompt parameter is required}
steps=${CYBERUN_PARAM_STEPS:-8}
color=${CYBERUN_PARAM_COLOR:-teal}
out=${CYBERUN_OUTPUT_DIR:?CYBERUN_OUTPUT_DIR is not set}
case "$color" in teal) hex='#0f766e' ;; orange) hex='#c2410c' ;; violet) hex='#6d28d9' ;; *) hex='#334155' ;; esac
echo "rendering \"$prompt\" in $steps steps ($color)"
for ((i = 1; i <= steps; i++)); do
  sleep "${DEMO_STEP_SECONDS:-0.25}"
  printf 'CYBERUN_PROGRESS %s %d/%d step %d of %d\n' "$(awk "BEGIN{printf \"%.3f\", $i/$steps}")" "$i" "$steps" "$i" "$steps"
done
escaped=$(printf '%s' "$prompt" | sed -e 's/&/\&amp;/g' -e 's/</\&lt;/g' -e 's/>/\&gt;/g')
cat >"$out/card.svg" <<SVG
<svg xmlns="http://www.w3.org/2000/svg" width="640" height="320" viewBox="0 0 640 320">
  <rect width="640" height="320" rx="24" fill="$hex"/>
  <text x="320" y="150" font-family="sans-serif" font-size="34" fill="white" text-anchor="middle">$escaped</text>
  <text x="320" y="210" font-family="sans-serif" font-size="18" fill="white" text-anchor="middle" opacity="0.8">rendered by Cyberun in $steps steps</text>
</svg>
SVG
printf '%s\n' "$prompt" >"$out/prompt.txt"
if [ -n "${CYBERUN_INPUT_ATTACHMENT:-}" ]; then
  cp "$CYBERUN_INPUT_ATTACHMENT" "$out/attachment-$(basename "$CYBERUN_INPUT_ATTACHMENT")"
  echo "passed the attachment through as attachment-$(basename "$CYBERUN_INPUT_ATTACHMENT")"
fi
echo "wrote card.svg and prompt.txt"
