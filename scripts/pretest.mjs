// Everything `npm test` needs on a fresh clone: kcat for the Kafka tests, then a build.
import { execSync, spawnSync } from 'node:child_process'

const has = (command) => spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0

if (!has('kcat')) {
  if (process.getuid?.() !== 0) {
    console.error('pretest: kcat is missing; install it with `sudo apt-get install -y kcat` (the Kafka tests need it)')
    process.exit(1)
  }
  console.error('pretest: installing kcat (Debian package) for the Kafka tests')
  execSync('apt-get update -qq && apt-get install -y -qq kcat', { stdio: 'inherit' })
}

execSync('npm run build', { stdio: 'inherit' })
