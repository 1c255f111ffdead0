# Sourced by scripts/deploy and scripts/teardown once $stage is set: the stage's stack.
# stack    the stack name, from samconfig.toml
# output   output NAME: one of the stack's outputs, empty if the stack or output does not exist
stack=$(python3 -c "import tomllib,sys; print(tomllib.load(open('samconfig.toml','rb'))[sys.argv[1]]['global']['parameters']['stack_name'])" "$stage")

output() {
  # Before the first deploy the stack does not exist and aws exits non-zero: that is "empty".
  { aws cloudformation describe-stacks --stack-name "$stack" \
    --query "Stacks[0].Outputs[?OutputKey=='$1'].OutputValue" --output text 2>/dev/null || true; } |
    sed 's/^None$//'
}
