<?php
/*
 * SimpleSAMLphp 1.19 configuration for fix401's SAML integration tests
 * (internal/realserver/saml.go). The server reads it from the folder that
 * SIMPLESAMLPHP_CONFIG_DIR names (set with Apache's SetEnv); the test
 * writes settings.json beside it. Every path is in the test's own folder.
 */
$settings = json_decode(file_get_contents(__DIR__ . '/settings.json'), true);
$dir = $settings['dir'];

// The service providers' hosts (host:port) are trusted for redirects
// (ReturnTo and the like); the list is re-read on every request, as the
// providers are (metadata/sps.json).
$trusted = [];
$sps = json_decode((string) @file_get_contents($dir . '/metadata/sps.json'), true) ?: [];
foreach ($sps as $sp) {
    $u = parse_url($sp['acs']);
    $trusted[] = $u['host'] . (isset($u['port']) ? ':' . $u['port'] : '');
}

$config = [
    'baseurlpath' => $settings['baseurl'],
    'certdir' => $dir . '/cert/',
    'loggingdir' => $dir . '/log/',
    'datadir' => $dir . '/data/',
    'tempdir' => $dir . '/tmp',
    'metadatadir' => $dir . '/metadata/',

    'technicalcontact_name' => 'fix401 tests',
    'technicalcontact_email' => 'na@example.org',
    'timezone' => 'UTC',

    'secretsalt' => $settings['secretsalt'],
    'auth.adminpassword' => $settings['adminpassword'],
    'admin.protectindexpage' => false,
    'admin.protectmetadata' => false,
    'admin.checkforupdates' => false,
    'trusted.url.domains' => $trusted,
    'trusted.url.regex' => false,
    'enable.http_post' => false,

    'debug' => ['saml' => false, 'backtraces' => true, 'validatexml' => false],
    'showerrors' => true,
    'errorreporting' => false,

    'logging.level' => SimpleSAML\Logger::DEBUG,
    'logging.handler' => 'file',
    'logging.logfile' => 'simplesamlphp.log',
    'logging.processname' => 'simplesamlphp',

    'enable.saml20-idp' => true,
    'enable.shib13-idp' => false,
    'enable.adfs-idp' => false,

    // SimpleSAMLphp 1.19 turns modules on here (a module's own "enable"
    // file is the older way; Debian ships exampleauth "default-disable").
    'module.enable' => [
        'core' => true,
        'saml' => true,
        'exampleauth' => true,
    ],

    'session.duration' => 8 * 60 * 60,
    'session.datastore.timeout' => 4 * 60 * 60,
    'session.state.timeout' => 60 * 60,
    'session.cookie.name' => 'SimpleSAMLSessionID',
    'session.cookie.lifetime' => 0,
    'session.cookie.path' => '/',
    'session.cookie.domain' => null,
    'session.cookie.secure' => true,
    'session.cookie.samesite' => $settings['samesite'] === '' ? null : $settings['samesite'],
    'session.phpsession.cookiename' => 'SimpleSAML',
    'session.phpsession.savepath' => $dir . '/sessions',
    'session.phpsession.httponly' => true,
    'session.authtoken.cookiename' => 'SimpleSAMLAuthToken',
    'session.rememberme.enable' => false,

    'language.default' => 'en',
    'language.cookie.secure' => true,
    'language.cookie.samesite' => $settings['samesite'] === '' ? null : $settings['samesite'],

    'theme.use' => 'default',
    'template.auto_reload' => false,
    'production' => true,

    'metadata.sources' => [
        ['type' => 'flatfile'],
    ],
    'metadata.sign.enable' => false,

    'store.type' => 'phpsession',
];
