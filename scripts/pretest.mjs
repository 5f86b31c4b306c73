// Everything `npm test` needs on a fresh clone: kcat for the Kafka tests, Debian's Python gRPC (an
// independent client for the gRPC interop tests), then a build.
import { execSync, spawnSync } from 'node:child_process'

const ok = (script) => spawnSync('sh', ['-c', script], { stdio: 'ignore' }).status === 0

const needs = [
  { what: 'kcat', check: 'command -v kcat', packages: ['kcat'] },
  {
    what: "Python's grpcio and grpc_tools",
    check: '/usr/bin/python3 -c "import grpc, grpc_tools.protoc"',
    packages: ['python3-grpcio', 'python3-grpc-tools', 'python3-protobuf'],
  },
]

const missing = needs.filter((need) => !ok(need.check))
if (missing.length > 0) {
  const packages = missing.flatMap((need) => need.packages).join(' ')
  if (process.getuid?.() !== 0) {
    const what = missing.map((need) => need.what).join(', ')
    console.error(`pretest: ${what} missing; install with \`sudo apt-get install -y ${packages}\``)
    process.exit(1)
  }
  console.error(`pretest: installing ${packages} (Debian packages) for the Kafka and gRPC tests`)
  execSync(`apt-get update -qq && apt-get install -y -qq ${packages}`, { stdio: 'inherit' })
}

execSync('npm run build', { stdio: 'inherit' })
