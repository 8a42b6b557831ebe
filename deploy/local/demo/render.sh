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
# Preview frames (160x80 PNGs, a quarter more of the bar each): the runtime shows the file a CYBERUN_PREVIEW line
# names as the task's live preview. It goes beside the output folder (not in it: it is no output); the agent clears
# the task's folder when the task is done.
frames=(
  iVBORw0KGgoAAAANSUhEUgAAAKAAAABQCAIAAAARP+ljAAAA10lEQVR42u3aoQ2AQBBE0e2AUB7mSkBSJZIqcGgMFSCA5MTwkl/BPXc7NSyzgitPAFiABViABViABRiwAAuwAAuwAAswYAEWYAHuX9u3uwDH0v6EuehmGxfdbOOim21cdLONAQP+k26eMWDAgAEDBgwYMGDAgAEDBgzYTxZgwIBdkwC7BwO26ABsk2VVaVUpwAIswAIswAIswIAFWIAFWIAFWO+A1/Po0NgmPQowYMCAAQMGDBgwYGCABRgwYMCAAQNOApZrkgALsAALsAADFmABFmAB1ocuYDx4W+ymKEsAAAAASUVORK5CYII=
  iVBORw0KGgoAAAANSUhEUgAAAKAAAABQCAIAAAARP+ljAAABD0lEQVR42u3buw2DMBSG0bsBynhpGIEyU6bMFHTUNGwQ5Qnm95G+MkFKjiyBfanhNim48hcAFmABFmABFmABBizAAizAAizA6hh4nB/PAxxL2wNzoc1mLrrZxtWD7g8/D7gt3X9/EfAJdLONY4EPuQLgdnVTjQOB27kU4P2W7+t3y2GLuHpYvu8+9QI+E/AHOxuAAQMGDBgwYMCAAQMG7DkYsJ0swPaiATtNAuw8GLCJDjNZZrJMVZqqNBcN2JsNgL2bBPhY5uyf7/3gCbAAC7AAC7AACzBgAVYO8H1dYrqM15gAAwYMGDBgwIABAwYMGDBgwIABAwYMOAlYTpMEWIAFWIAFGLAAC7AAC7C+aAPrIK+E0Myk4wAAAABJRU5ErkJggg==
  iVBORw0KGgoAAAANSUhEUgAAAKAAAABQCAIAAAARP+ljAAABPklEQVR42u3csQ0CIQCGUTYwjmdzI1g6paVT2FnbuIEekAP885KvlcIXIseB5XS7KrjiKwAswAIswAIswAIMWIAFeH7b87EnwLG08cwFbTZzoZttXOJpj/sg4Mm6g0cAPE53haEAHwW81GiAR+jWrqeSjEu2bvOyOcY4B7jzkal2cMCTp2//42/GJC6R07ftt/b7OIBXmb6dGx1hk7hkT98powE+ELhtzu2cxIDXAm5elAH+P+Cfy2bAgAEDBgwYMGDAVtGAPQfbybKTZS/aXrS3SYC9DwbsRAdgZ7KcqnSq0rlo56LdbADsbhJgtwsBD2Z2P5ixG/7pzJHfg3/Z8S87AizAAizAAqx64Pv7parO22VAgAEDBgwYsAADBgwYMGDAgAEDBgxYScDyNkmABViABViAAQuwAAuwAKujD06KBoN2suyGAAAAAElFTkSuQmCC
  iVBORw0KGgoAAAANSUhEUgAAAKAAAABQCAIAAAARP+ljAAABSklEQVR42u3csRWCMBiF0X8DNnQES6e0dAo7axsnUAKICc97ztdCwT0xCAk1Xc4KrlwCwAIswAIswAIswIAF+BCd7reWAMfSxjMX2mzmiqfd6SjAnXW7nAHwuLqpxhWmu2JKXnpCwKPobrm3ijEuutnGIcCfaRfdQs+eH3DP4bvuLundUQGDuIKH71d+7QEfQLdx3o00zgFeodtoDHis2Xfj26SwmbiCh+8sTPtRgEcBXjrsGjkBjwv847MB7gY8+2cXMGDAgAEDBgwYsLtowP4He5LlSZZn0Z5Fe5sE2PtgwFZ0ALYmy6pKqyqti7Yu2s4GOxvsTQJsdyHg0YztDz6YsR3+k290+EbHHzFHXgffyfKdLAEWYAEWYO0CfH0+NGCAAQMGDBiwAAuwAAswYMCAAQNWErC8TRJgARZgARZgwAIswAIswNrQCyc5VOCp4OGwAAAAAElFTkSuQmCC
)
preview_dir=$(dirname "$out")
for ((i = 1; i <= steps; i++)); do
  sleep "${DEMO_STEP_SECONDS:-0.25}"
  printf 'CYBERUN_PROGRESS %s %d/%d step %d of %d\n' "$(awk "BEGIN{printf \"%.3f\", $i/$steps}")" "$i" "$steps" "$i" "$steps"
  frame=$(( (i * 4 + steps - 1) / steps - 1 ))
  printf '%s' "${frames[$frame]}" | base64 -d >"$preview_dir/next.png" && mv "$preview_dir/next.png" "$preview_dir/preview.png"
  echo "CYBERUN_PREVIEW $preview_dir/preview.png"
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
