<?php
/*
 * Authentication sources for fix401's SAML integration tests: the
 * exampleauth:UserPass source with the test's users (settings.json beside
 * this file), each with the attributes uid, mail and eduPersonAffiliation.
 */
$settings = json_decode(file_get_contents(__DIR__ . '/settings.json'), true);

$userpass = ['exampleauth:UserPass'];
foreach ($settings['users'] as $name => $password) {
    // exampleauth:UserPass keys its users "<username>:<password>".
    $userpass[$name . ':' . $password] = [
        'uid' => [$name],
        'mail' => [$name . '@example.test'],
        'eduPersonAffiliation' => ['member'],
    ];
}

$config = [
    'admin' => ['core:AdminPassword'],
    'example-userpass' => $userpass,
];
