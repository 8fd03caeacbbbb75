import { mount } from 'svelte';
import App from './App.svelte';
import { createClient } from './lib/api.js';
import { installPageGuards } from './lib/guards.js';
import './app.css';

installPageGuards(window);
mount(App, { target: document.getElementById('app') as HTMLElement, props: { client: createClient(window) } });
